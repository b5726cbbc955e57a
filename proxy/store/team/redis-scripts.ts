/** Lua run inside Redis, so each decision is atomic across replicas. Times come from Redis's own
 * clock (TIME), so replicas' clocks never disagree about a rate or a hold's expiry. Money is in
 * integer micro-dollars. */

const NOW_MS = `local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)`;

/** Drops the holds of one counter whose time ran out (their replica stopped renewing them). */
const EXPIRE_HOLDS = `local function expire_holds(counter, holds, now)
  for _, old in ipairs(redis.call('ZRANGEBYSCORE', holds, '-inf', now)) do
    local amount = redis.call('HGET', counter, 'h:' .. old)
    if amount then
      redis.call('HINCRBY', counter, 'reserved', -tonumber(amount))
      redis.call('HDEL', counter, 'h:' .. old)
    end
    redis.call('ZREM', holds, old)
  end
end`;

/** GCRA for the rate (at most burst + elapsed / interval) and holds against budget counters, in
 * one atomic step. KEYS[1] the token's rate key, then pairs (counter hash, holds zset); ARGV: request id, amount,
 * hold ms, rate interval ms (0: no rate), rate burst, then each pair's cap. The caps are checked
 * first, then the rate, and only then is anything taken. Returns {1} admitted and held, {0, i,
 * spent, reserved} refused by counter i, {2, ms} refused by the rate, {-1, i} when counter i is
 * missing (it must be rebuilt first, never assumed zero), or {-2, i} while counter i is being
 * restored (its running holds are not all back yet). A restore left unfinished past its time
 * counts as missing. */
export const ADMIT = `${NOW_MS}
${EXPIRE_HOLDS}
local id = ARGV[1]
local amount = tonumber(ARGV[2])
local hold_ms = tonumber(ARGV[3])
local interval = tonumber(ARGV[4])
local burst = tonumber(ARGV[5])
local pairs_count = (#KEYS - 1) / 2
for i = 1, pairs_count do
  if redis.call('EXISTS', KEYS[2 * i]) == 0 then return {-1, i} end
  local restoring_until = redis.call('HGET', KEYS[2 * i], 'restoring_until')
  if restoring_until then
    if now < tonumber(restoring_until) then return {-2, i} end
    return {-1, i}
  end
end
for i = 1, pairs_count do
  local counter, holds = KEYS[2 * i], KEYS[2 * i + 1]
  expire_holds(counter, holds, now)
  local spent = tonumber(redis.call('HGET', counter, 'spent') or '0')
  local reserved = tonumber(redis.call('HGET', counter, 'reserved') or '0')
  local cap = tonumber(ARGV[5 + i])
  if spent + reserved >= cap or spent + reserved + amount > cap then return {0, i, spent, reserved} end
end
if interval > 0 then
  local tat = tonumber(redis.call('GET', KEYS[1]) or now)
  if tat < now then tat = now end
  local allowed_at = tat + interval - burst * interval
  if now < allowed_at then return {2, allowed_at - now} end
  redis.call('SET', KEYS[1], tat + interval, 'PX', math.ceil(tat + interval - now) + 1000)
end
for i = 1, pairs_count do
  local counter, holds = KEYS[2 * i], KEYS[2 * i + 1]
  if redis.call('HSETNX', counter, 'h:' .. id, amount) == 1 then
    redis.call('HINCRBY', counter, 'reserved', amount)
  end
  redis.call('ZADD', holds, now + hold_ms, id)
  local ttl = redis.call('PTTL', counter)
  if ttl > 0 then redis.call('PEXPIRE', holds, ttl) end
end
return {1}`;

/** KEYS: pairs (counter hash, holds zset); ARGV: request id, micro-dollars spent (0 to only drop
 * the hold). A counter that is missing is left alone: it is rebuilt from Postgres when needed. */
export const BUDGET_SETTLE = `local id = ARGV[1]
local spent = tonumber(ARGV[2])
for i = 1, #KEYS / 2 do
  local counter, holds = KEYS[2 * i - 1], KEYS[2 * i]
  if redis.call('EXISTS', counter) == 1 then
    local amount = redis.call('HGET', counter, 'h:' .. id)
    if amount then
      redis.call('HINCRBY', counter, 'reserved', -tonumber(amount))
      redis.call('HDEL', counter, 'h:' .. id)
    end
    redis.call('ZREM', holds, id)
    if spent > 0 then redis.call('HINCRBY', counter, 'spent', spent) end
  end
end
return 1`;

/** A missing counter's restore begins. KEYS: counter hash, holds zset; ARGV: restore id, ms it may
 * take, ms to keep the counter. The counter is created empty and marked restoring: admissions wait
 * while every replica puts back the holds of its running requests (RESTORE_HOLDS) and the spending
 * recorded in Postgres is added (RESTORE_FINISH). Returns 1 if begun, 0 if the counter exists (or
 * another restore is under way and in time). */
export const RESTORE_BEGIN = `${NOW_MS}
local restoring_until = redis.call('HGET', KEYS[1], 'restoring_until')
if redis.call('EXISTS', KEYS[1]) == 1 and (not restoring_until or now < tonumber(restoring_until)) then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'spent', 0, 'reserved', 0, 'restoring', ARGV[1], 'restoring_until', now + tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

/** One replica's running holds put back into a restoring counter (HSETNX: twice is once), and its
 * answer noted. KEYS: counter hash, holds zset, the restore's answer set; ARGV: restore id, replica,
 * hold ms, then pairs (request id, micro-dollars). Returns 0 if that restore is no longer under way. */
export const RESTORE_HOLDS = `${NOW_MS}
if redis.call('HGET', KEYS[1], 'restoring') ~= ARGV[1] then return 0 end
local hold_ms = tonumber(ARGV[3])
for i = 4, #ARGV - 1, 2 do
  if redis.call('HSETNX', KEYS[1], 'h:' .. ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('HINCRBY', KEYS[1], 'reserved', tonumber(ARGV[i + 1]))
  end
  redis.call('ZADD', KEYS[2], now + hold_ms, ARGV[i])
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('PEXPIRE', KEYS[3], 600000)
return 1`;

/** KEYS: counter hash, the restore's answer set; ARGV: restore id. The replicas that answered, or
 * nil if that restore is no longer under way (the counter was dropped again, or restored). */
export const RESTORE_ANSWERS = `if redis.call('HGET', KEYS[1], 'restoring') ~= ARGV[1] then return false end
return redis.call('SMEMBERS', KEYS[2])`;

/** KEYS: counter hash; ARGV: restore id, micro-dollars from Postgres. Ends the restore: the
 * recorded spending is added to what settled meanwhile, and admissions go on. 0 if superseded. */
export const RESTORE_FINISH = `if redis.call('HGET', KEYS[1], 'restoring') ~= ARGV[1] then return 0 end
redis.call('HINCRBY', KEYS[1], 'spent', tonumber(ARGV[2]))
redis.call('HDEL', KEYS[1], 'restoring', 'restoring_until')
return 1`;

/** KEYS: holds zsets; ARGV: request id, hold ms. Pushes a running request's holds further out. */
export const BUDGET_RENEW = `${NOW_MS}
for i = 1, #KEYS do redis.call('ZADD', KEYS[i], 'XX', now + tonumber(ARGV[2]), ARGV[1]) end
return 1`;
