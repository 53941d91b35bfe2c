-- Asks the operator for a sync now: any new value of the reconcile-requested-at annotation
-- makes it re-read the remote webhook. The value is the current UTC time.
-- Argo CD exposes only os.date and os.time, and only through require("os").
local os = require("os")
if obj.metadata.annotations == nil then
  obj.metadata.annotations = {}
end
obj.metadata.annotations["hooks.hookkeeper.dev/reconcile-requested-at"] = os.date("!%Y-%m-%dT%XZ")
return obj
