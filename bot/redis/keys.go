package redis

// Every key mentorbot writes is built here. Keys are prefixed "mb:"; a user's keys carry the profile id as a hash
// tag ("mb:{pid}:…") so one user's keys share a Redis Cluster slot and one script can update them atomically.
// Global indexes live outside any user's slot and are only ever updated with idempotent commands.

const prefix = "mb:"

func userKey(pid, name string) string { return prefix + "{" + pid + "}:" + name }

// Per user: one document (userdoc.go: revision, profile, conversation, the last handled event ids, link) and, while
// replies are on their way, a hash of them (outbox.go), which exists only while something is pending.
func keyUser(pid string) string        { return userKey(pid, "u") }
func keyOutbox(pid string) string      { return userKey(pid, "out") }
func keyUserPattern(pid string) string { return prefix + "{" + pid + "}:*" }

// patternOutbox matches every user's outbox hash (the sweeper scans for them).
const patternOutbox = prefix + "{*}:out"

// The previous layout (a key each for the profile, conversation, revision, link and every handled event id), read
// once to migrate a user to the document (migrate.go).
func keyOldProfile(pid string) string  { return userKey(pid, "profile") }
func keyOldConv(pid string) string     { return userKey(pid, "conv") }
func keyOldRev(pid string) string      { return userKey(pid, "rev") }
func keyOldLink(pid string) string     { return userKey(pid, "link") }
func keyOldSeen(pid, ev string) string { return userKey(pid, "seen:"+ev) }

// keyAlive says that the store instance owner (one a process) is running; pending replies it owns are not taken
// over while it exists (outbox.go).
func keyAlive(owner string) string { return prefix + "alive:" + owner }

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

// The shared outbound schedule of one bot (rate.go): its buckets and its pause share a hash tag, so one script
// books them under Cluster too. A chat bucket names the chat; it expires seconds after its last booking.
func keyRate(name, bucket string) string { return prefix + "rate:{" + name + "}:" + bucket }
func keyRatePause(name string) string    { return keyRate(name, "pause") }

// --- Slack adapter keys ---

// keyLinkCode holds a /link code by hash (link.go); keySlackOnce marks a one-time Slack post (slack.go).
func keyLinkCode(hash string) string { return prefix + "linkcode:" + hash }
func keySlackOnce(key string) string { return prefix + "slack:once:" + key }

// --- Check-ins and alerts keys ---

// An alert and its acknowledgement share a hash tag (one slot), apart from any user's keys: coordinators' turns
// read and take it.
func keyAlert(id string) string    { return prefix + "alert:{" + id + "}" }
func keyAlertAck(id string) string { return prefix + "alert:{" + id + "}:ack" }

// keyOpenAlerts indexes the alerts nobody has taken yet by the time their escalation is due (a sorted set), for
// the alert sweep.
func keyOpenAlerts() string { return prefix + "alerts:open" }

// Anonymous check-in totals, one hash per period and instrument (fields "<group>:p|n|s"). No profile id in them.
func keyTally(period, inst string) string { return prefix + "tally:" + period + ":" + inst }

// --- Lessons keys ---

// Lesson feedback is anonymous: per lesson a hash of counts ("done", "r1".."r5") and a capped list of comments.
// Neither holds a profile id, so nothing links feedback to a person.
func keyLessonStats(lesson string) string    { return prefix + "lessons:stats:" + lesson }
func keyLessonComments(lesson string) string { return prefix + "lessons:comments:" + lesson }

// --- Pairs, sessions and nudges keys ---

// keyTickLock is the lock of one periodic job's tick: one replica runs each tick (bot/nudge).
// tick is the tick time in Unix seconds, as text.
func keyTickLock(job, tick string) string { return keyLock("tick:" + job + ":" + tick) }
