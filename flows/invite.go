package flows

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Invite codes: 10 characters of Crockford's base32 (no I, L, O, U: nothing to misread on a phone), 50 bits.
// With InviteMaxFails wrong tries per InviteLockout per account, guessing one is not practical.
const (
	inviteAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	inviteLen      = 10
	// InviteTTL is how long a new invite code is valid.
	InviteTTL = 14 * 24 * time.Hour
	// InviteMaxFails wrong codes lock code entry for InviteLockout.
	InviteMaxFails = 5
	InviteLockout  = time.Hour
)

// NewInviteCode returns a fresh random code, formatted XXXXX-XXXXX.
func NewInviteCode() string {
	b := make([]byte, inviteLen)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	out := make([]byte, 0, inviteLen+1)
	for i, x := range b {
		if i == inviteLen/2 {
			out = append(out, '-')
		}
		out = append(out, inviteAlphabet[int(x)%len(inviteAlphabet)])
	}
	return string(out)
}

// NormalizeCode reads a typed code the way people type it: any case, spaces or dashes, O for 0, I or L for 1.
// ok is false if it cannot be a code.
func NormalizeCode(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch r {
		case ' ', '-', '.', '_':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if !strings.ContainsRune(inviteAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != inviteLen {
		return "", false
	}
	return b.String(), true
}

// HashCode is the stored form of a normalised code.
func HashCode(normalized string) string {
	sum := sha256.Sum256([]byte("mentorbot/invite\x00" + normalized))
	return hex.EncodeToString(sum[:])
}
