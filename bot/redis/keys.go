package redis

// Every key mentorbot writes is built here. Keys are prefixed "mb:"; a user's keys carry the profile id as a hash
// tag ("mb:{pid}:…") so one user's keys share a Redis Cluster slot and one script can update them atomically.
// Global indexes live outside any user's slot and are only ever updated with idempotent commands.

const prefix = "mb:"

func userKey(pid, name string) string { return prefix + "{" + pid + "}:" + name }

// Per user.
func keyProfile(pid string) string     { return userKey(pid, "profile") }
func keyConv(pid string) string        { return userKey(pid, "conv") }
func keyRev(pid string) string         { return userKey(pid, "rev") }
func keyLink(pid string) string        { return userKey(pid, "link") }
func keySeen(pid, ev string) string    { return userKey(pid, "seen:"+ev) }
func keyUserPattern(pid string) string { return prefix + "{" + pid + "}:*" }

// Global indexes.
func keyUsers() string             { return prefix + "users" }
func keyRole(role string) string   { return prefix + "role:" + role }
func keyDeadlines() string         { return prefix + "deadlines" }
func keyInvite(hash string) string { return prefix + "invite:" + hash }

// Locks (bot/nudge and the Telegram poller use them through this package).
//
//lint:ignore U1000 used by the lock code of the schedulers and the poller.
func keyLock(name string) string { return prefix + "lock:" + name }

// --- Telegram adapter keys ---

// --- Slack adapter keys ---

// --- Check-ins and alerts keys ---

// --- Lessons keys ---

// Lesson feedback is anonymous: per lesson a hash of counts ("done", "r1".."r5") and a capped list of comments.
// Neither holds a profile id, so nothing links feedback to a person.
func keyLessonStats(lesson string) string    { return prefix + "lessons:stats:" + lesson }
func keyLessonComments(lesson string) string { return prefix + "lessons:comments:" + lesson }

// --- Pairs, sessions and nudges keys ---

// keyTickLock is the lock of one periodic job's tick: one replica runs each tick (bot/nudge).
// tick is the tick time in Unix seconds, as text.
func keyTickLock(job, tick string) string { return keyLock("tick:" + job + ":" + tick) }
