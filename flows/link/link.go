// Package link makes one person one profile across platforms: /link gives a one-time code, and /link CODE sent from
// the person's other account (Telegram or Slack) merges that account's profile into the one that made the code.
package link

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// TTL is how long a link code works. Short, because it only bridges two apps on one phone or desk.
const TTL = 10 * time.Minute

// Code is a stored link code. The code itself is never stored, only its hash (see Hash).
type Code struct {
	// Profile made the code; it stays, and the profile that enters the code joins it.
	Profile string    `json:"profile"`
	Expires time.Time `json:"expires"`
	// ClaimedBy is the profile that entered the code; a claimed code works for nobody else.
	ClaimedBy string `json:"claimed_by,omitempty"`
}

// ErrGone is returned by Store.MergeProfiles when the profile to merge into no longer exists (erased meanwhile).
var ErrGone = errors.New("link: profile to merge into is gone")

// Store keeps link codes and merges profiles. bot/redis implements it; flowtest.MemStore too.
type Store interface {
	// PutLinkCode stores a code by hash for ttl.
	PutLinkCode(ctx context.Context, hash string, c Code, ttl time.Duration) error
	// LinkCode reads a code; ok is false when it is unknown or expired.
	LinkCode(ctx context.Context, hash string) (c Code, ok bool, err error)
	// ClaimLinkCode marks the code used by claimant atomically; it reports false when the code is unknown or was
	// claimed before.
	ClaimLinkCode(ctx context.Context, hash, claimant string) (bool, error)
	// MergeProfiles folds profile from into profile into: merge runs on into's stored profile (again if it changed
	// meanwhile) and the result is saved; then from's keys are erased, from becomes a link to into, and from's
	// revision moves on so that an update still in flight for from cannot write it back. Identities that were
	// linked to from are linked to into. It returns ErrGone when into does not exist.
	MergeProfiles(ctx context.Context, from *flows.Profile, into string, merge func(into *flows.Profile)) error
	// Unindex removes a merged profile from the global indexes (users, roles). It runs once the merge is complete:
	// the engine's failed save of the merged profile, right after MergeProfiles, may have touched them again.
	Unindex(ctx context.Context, pid string) error
	// Unlink removes the links of the given profile ids (on /forget of the profile they point to).
	Unlink(ctx context.Context, pids ...string) error
}

// Hash is the stored form of a normalised link code. The prefix keeps link and invite codes apart.
func Hash(normalized string) string {
	sum := sha256.Sum256([]byte("mentorbot/link\x00" + normalized))
	return hex.EncodeToString(sum[:])
}

// Merger folds a feature's data of profile from into profile into, for data the default Merge does not know how to
// combine (an encrypted history, records kept elsewhere that name the profile id).
type Merger func(into, from *flows.Profile)

// Feature is the /link action, and the eraser that drops a forgotten profile's links. extra mergers run after
// Merge.
func Feature(store Store, extra ...Merger) flows.Feature {
	l := &linker{store: store, extra: extra}
	return flows.Feature{Name: "link", Erasers: []flows.Eraser{eraser(store)}, Actions: []*flows.Action{{
		Name: "link", Commands: []string{"link"}, BeforeOnboarding: true,
		Menu: "menu.link", MenuOrder: 85,
		Run: l.run,
	}}}
}

// eraser removes the links that point at a profile, so /forget leaves no trace of which accounts were joined.
func eraser(store Store) flows.Eraser {
	return func(c *flows.Ctx) error {
		p := c.Profile
		var pids []string
		for _, id := range p.Identities {
			if pid := flows.ProfileID(id); pid != p.ID {
				pids = append(pids, pid)
			}
		}
		if len(pids) == 0 {
			return nil
		}
		return store.Unlink(c.Context(), pids...)
	}
}

type linker struct {
	store Store
	extra []Merger
}

func (l *linker) run(c *flows.Ctx) {
	arg := strings.TrimSpace(c.Event.Args)
	if arg == "" {
		l.makeCode(c)
		return
	}
	l.enter(c, arg)
}

func (l *linker) makeCode(c *flows.Ctx) {
	code := flows.NewInviteCode()
	norm, _ := flows.NormalizeCode(code)
	err := l.store.PutLinkCode(c.Context(), Hash(norm), Code{Profile: c.Profile.ID, Expires: c.Now.Add(TTL)}, TTL)
	if err != nil {
		c.Say(c.T("core.unavailable"))
		return
	}
	c.Say(c.T("link.code", "Code", code))
}

// enter merges this profile into the one that made the code. The merge retires this profile and moves its
// revision, so the engine's save after this handler fails, reloads, finds the link and runs the same command again
// on the merged profile: there the code shows as claimed by a profile that joined, and the user is told it worked.
func (l *linker) enter(c *flows.Ctx, arg string) {
	norm, ok := flows.NormalizeCode(arg)
	if !ok {
		c.Say(c.T("link.shape"))
		return
	}
	hash := Hash(norm)
	ctx := c.Context()
	code, found, err := l.store.LinkCode(ctx, hash)
	if err != nil {
		c.Say(c.T("core.unavailable"))
		return
	}
	if !found || !c.Now.Before(code.Expires) {
		c.Say(c.T("link.wrong"))
		return
	}
	if code.Profile == c.Profile.ID {
		if code.ClaimedBy != "" && code.ClaimedBy != c.Profile.ID {
			// The second run, on the merged profile: the merge is complete.
			if err := l.store.Unindex(ctx, code.ClaimedBy); err != nil {
				c.Say(c.T("core.unavailable"))
				return
			}
			c.Say(c.T("link.done"))
			return
		}
		c.Say(c.T("link.same"))
		return
	}
	if code.ClaimedBy != "" {
		c.Say(c.T("link.wrong"))
		return
	}
	claimed, err := l.store.ClaimLinkCode(ctx, hash, c.Profile.ID)
	if err != nil {
		c.Say(c.T("core.unavailable"))
		return
	}
	if !claimed {
		c.Say(c.T("link.wrong"))
		return
	}
	from := c.Profile
	err = l.store.MergeProfiles(ctx, from, code.Profile, func(into *flows.Profile) {
		Merge(into, from)
		for _, m := range l.extra {
			m(into, from)
		}
	})
	switch {
	case errors.Is(err, ErrGone):
		c.Say(c.T("link.wrong"))
	case err != nil:
		c.Say(c.T("core.unavailable"))
	default:
		c.Say(c.T("link.done"))
	}
}
