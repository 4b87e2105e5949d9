/**
 * A token bucket in Redis Lua: atomic across every API instance. TOKEN_BUCKET_FUNCTION_LUA defines
 * `take_token(key, capacity, refill per second, now ms, cost)` returning allowed (1/0), tokens left and ms until
 * the next token, for scripts that check a bucket among other work in the same round trip. The bucket expires
 * when it would be full again, so idle visitors cost nothing.
 */
export const TOKEN_BUCKET_FUNCTION_LUA = `
local function take_token(key, capacity, rate, now, cost)
  local state = redis.call('HMGET', key, 't', 'at')
  local tokens = tonumber(state[1]) or capacity
  local at = tonumber(state[2]) or now
  tokens = math.min(capacity, tokens + math.max(0, now - at) * rate / 1000)
  local allowed = 0
  if tokens >= cost then
    tokens = tokens - cost
    allowed = 1
  end
  redis.call('HSET', key, 't', tokens, 'at', now)
  redis.call('PEXPIRE', key, math.ceil((capacity - tokens) / rate * 1000) + 1000)
  local wait = 0
  if allowed == 0 then wait = math.ceil((cost - tokens) / rate * 1000) end
  return allowed, math.floor(tokens), wait
end
`;

/**
 * The bucket alone, one round trip per check. KEYS[1] the bucket; ARGV: capacity, refill per second, now (ms),
 * cost. Returns [allowed (1/0), tokens left, ms until the next token].
 */
export const TOKEN_BUCKET_LUA = `${TOKEN_BUCKET_FUNCTION_LUA}
return {take_token(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]))}
`;
