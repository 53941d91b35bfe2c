-- Actions Argo CD offers for a Webhook. "reconcile" is greyed out while the Webhook is being
-- deleted: changing an annotation then achieves nothing.
local actions = {}
local deleting = obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil
actions["reconcile"] = {["disabled"] = deleting}
return actions
