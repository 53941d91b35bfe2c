-- Argo CD health check for hooks.hookkeeper.dev/Webhook.
-- Runs in Argo CD's sandbox (base, table and a reduced os library; no string library), so it
-- only uses plain comparisons and the .. operator.
local hs = {}

local function describe(reason, message)
  if reason == nil or reason == "" then
    reason = "Unknown"
  end
  if message == nil or message == "" then
    return reason
  end
  return reason .. ": " .. message
end

local function readyCondition(status)
  if status == nil or status.conditions == nil then
    return nil
  end
  for _, condition in ipairs(status.conditions) do
    if condition.type == "Ready" then
      return condition
    end
  end
  return nil
end

local meta = obj.metadata or {}
local status = obj.status
local ready = readyCondition(status)

-- 1. A deletion in progress: the operator is removing the remote webhook.
if meta.deletionTimestamp ~= nil then
  hs.status = "Progressing"
  hs.message = "Webhook is being deleted"
  if ready ~= nil and ready.reason == "Deleting" and ready.message ~= nil and ready.message ~= "" then
    hs.message = hs.message .. ": " .. ready.message
  end
  return hs
end

-- 2. Paused by the user: the operator makes no calls to the SaaS.
if meta.annotations ~= nil and meta.annotations["hooks.hookkeeper.dev/paused"] == "true" then
  hs.status = "Suspended"
  hs.message = "Paused by the hooks.hookkeeper.dev/paused annotation: no calls to the SaaS"
  return hs
end

-- 3. The operator has not looked at this generation of the spec yet.
if status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator: no status yet"
  return hs
end
local generation = meta.generation
local observed = status.observedGeneration or 0
if generation ~= nil and observed < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator: observed generation " .. observed .. " of " .. generation
  return hs
end

if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator: no Ready condition yet"
  return hs
end

-- 4. Failures that retrying alone will not fix: someone has to change the spec, the Secret or
-- the remote side.
local needsHuman = {
  InvalidSpec = true,
  Unauthorized = true,
  Conflict = true,
  CredentialsNotFound = true,
  AccountNotFound = true,
  AccountNotPermitted = true,
  TargetNotPermitted = true,
  AccountLimitReached = true,
}
if needsHuman[ready.reason] then
  hs.status = "Degraded"
  hs.message = describe(ready.reason, ready.message)
  return hs
end

-- 5. The remote webhook exists and matches the spec.
if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready.reason, ready.message)
  return hs
end

-- 6. Anything else (Creating, RateLimited, ProviderUnavailable, RemoteDisabled, Unknown, ...)
-- is work still under way or retried by the operator on its own.
hs.status = "Progressing"
hs.message = describe(ready.reason, ready.message)
return hs
