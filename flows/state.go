package flows

import (
	"crypto/sha256"
	"encoding/base32"
	"strconv"
	"strings"
	"time"
)

// State is where a user is in a conversation. It is persisted per user, so a restart continues at the same step.
type State struct {
	Flow     string            `json:"flow,omitempty"`
	Step     string            `json:"step,omitempty"`
	Version  int               `json:"version,omitempty"` // the flow's Version when the state was written
	Slots    map[string]string `json:"slots,omitempty"`
	Deadline time.Time         `json:"deadline,omitzero"`
	// Seq numbers the prompts that carried buttons; a payload from an older prompt is stale.
	Seq int `json:"seq,omitempty"`
	// Offered lists the choices the last prompt offered, so a typed label counts as a press and a forged value
	// is refused.
	Offered []Offer `json:"offered,omitempty"`
}

// Offer is one choice a prompt offered.
type Offer struct {
	Value string `json:"v"`
	Label string `json:"l"`
}

// Idle reports whether no flow is running.
func (s *State) Idle() bool { return s.Flow == "" }

func (s *State) reset() { *s = State{Seq: s.Seq} }

// Payload kinds: a choice tied to the prompt that offered it, or a global action valid at any time.
const (
	payloadChoice = 's'
	payloadGlobal = 'g'
)

func choicePayload(seq int, value string) string {
	return "s" + strconv.Itoa(seq) + ":" + value
}

// ActionPayload builds the payload of a global button: pressing it is like sending "/name args". The action checks its
// own arguments and who may run it.
func ActionPayload(name string, args ...string) string {
	p := "g:" + name
	if len(args) > 0 {
		p += " " + strings.Join(args, " ")
	}
	return p
}

// parsePayload splits a payload. ok is false for anything malformed.
func parsePayload(p string) (kind byte, seq int, value string, ok bool) {
	if p == "" || len(p) > MaxPayload {
		return 0, 0, "", false
	}
	switch p[0] {
	case payloadGlobal:
		rest, found := strings.CutPrefix(p, "g:")
		if !found || rest == "" {
			return 0, 0, "", false
		}
		return payloadGlobal, 0, rest, true
	case payloadChoice:
		num, val, found := strings.Cut(p[1:], ":")
		if !found || val == "" {
			return 0, 0, "", false
		}
		n, err := strconv.Atoi(num)
		if err != nil || n < 0 {
			return 0, 0, "", false
		}
		return payloadChoice, n, val, true
	}
	return 0, 0, "", false
}

// ProfileID derives the profile id of a platform identity. It is deterministic so the first update of a user needs
// no lookup; identities linked later to another profile are redirected by the store.
func ProfileID(i Identity) string {
	sum := sha256.Sum256([]byte("mentorbot/profile\x00" + i.String()))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:15]))
}
