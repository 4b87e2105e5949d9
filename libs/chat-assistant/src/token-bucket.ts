/**
 * A token bucket as a Redis Lua script: atomic across every API instance, one round trip per check.
 * KEYS[1] the bucket; ARGV: capacity, refill per second, now (ms), cost. Returns [allowed (1/0), tokens left,
 * ms until the next token]. The bucket expires when it would be full again, so idle visitors cost nothing.
 */
export const TOKEN_BUCKET_LUA = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate / 1000)
local allowed = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
end
redis.call('HSET', KEYS[1], 't', tokens, 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate * 1000) + 1000)
local wait = 0
if allowed == 0 then wait = math.ceil((cost - tokens) / rate * 1000) end
return {allowed, math.floor(tokens), wait}
`;
