package flows

import (
	"context"
	"errors"
	"time"
)

// Clock tells the time. Flows never call time.Now; tests drive a simulated clock.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// Snapshot is one user's stored state as the engine sees it.
type Snapshot struct {
	Profile *Profile // nil for someone the bot has never seen
	State   State
	Rev     int64 // optimistic version; Save fails with ErrConflict if it changed
	// Seen is true when the event being loaded for was already handled.
	Seen bool
	// LinkedTo is set when this profile id was merged into another profile.
	LinkedTo string
	// Stored is the store's own record of what Load read (the handled event ids it remembers, what the global
	// indexes hold); the engine passes it back to Save unchanged. Empty for a snapshot not loaded.
	Stored []byte
}

// ErrConflict is returned by Store.Save when another update changed the user's state since Load.
var ErrConflict = errors.New("state changed concurrently")

// Store keeps users' profiles and conversations, and the replies on their way to them. Load and Save are one
// round trip each.
type Store interface {
	// Load reads profile, conversation, revision and whether eventID was already handled.
	Load(ctx context.Context, pid, eventID string) (Snapshot, error)
	// Save writes profile and conversation if the revision is still s.Rev, marks eventID handled, and keeps out
	// (the event's replies, nil for none) pending for this process to send, atomically.
	Save(ctx context.Context, pid string, s Snapshot, eventID string, out *Outbound) error
	// Erase deletes every key of the user.
	Erase(ctx context.Context, pid string) error
	Outbox
}

// Directory finds other people. Each call is a round trip, so flows use it only where they must.
type Directory interface {
	// Profile reads another user's profile (nil if none).
	Profile(ctx context.Context, pid string) (*Profile, error)
	// WithRole lists the profile ids holding role r.
	WithRole(ctx context.Context, r Role) ([]string, error)
}

// Invite is a stored invitation. The code itself is never stored, only its hash.
type Invite struct {
	Role    Role      `json:"role"`
	By      string    `json:"by"`
	Expires time.Time `json:"expires"`
}

// Invites stores invitation codes by hash.
type Invites interface {
	// PutInvite stores an invite under the hash of its code until it expires.
	PutInvite(ctx context.Context, hash string, inv Invite) error
	// TakeInvite removes and returns the invite atomically, so a code works once. ok is false for unknown codes.
	TakeInvite(ctx context.Context, hash string) (inv Invite, ok bool, err error)
}

// SendMetrics counts what a platform adapter does with its platform's API; cmd/mentorbot implements it with
// Prometheus. The methods must not block.
type SendMetrics interface {
	// Sent counts a message the platform accepted.
	Sent()
	// RateLimited counts a 429 answer.
	RateLimited()
	// Retried counts a call about to be made again.
	Retried()
}

// NoSendMetrics counts nothing (an adapter built without metrics).
type NoSendMetrics struct{}

func (NoSendMetrics) Sent()        {}
func (NoSendMetrics) RateLimited() {}
func (NoSendMetrics) Retried()     {}
