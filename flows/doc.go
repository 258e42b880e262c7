// Package flows is the programme's domain: people, roles, consents, the conversation engine and the flows that run
// on it. It talks to no platform and no database: adapters in bot/* feed it Events and render its Replies, and the
// storage it needs is described by the small interfaces declared here and implemented in bot/redis.
package flows
