package redis

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// A user's document is one Redis string, so that an update reads everything it needs with one GET and writes it
// with one SET (inside the save script, which checks the revision). Six lines, none of which can hold a newline
// (JSON escapes them):
//
//	A<revision>          'A': the global indexes hold the facts below; 'D': an index update failed (redo it)
//	<facts>              what the global indexes hold for the user: roles and deadline bucket ("guest|0")
//	<seen>               tokens of the last maxSeen handled event ids, oldest first, seenTokenLen characters each
//	<linked-to>          the profile this id was merged into, or empty
//	<profile JSON>       empty for none (a link)
//	<conversation JSON>  empty when no flow runs
//
// The header comes first so that the save script reads the revision without parsing the rest, and the flag is
// the first byte so that marking the indexes dirty is one SETRANGE.
type userDoc struct {
	dirty   bool
	rev     int64
	facts   string
	seen    string
	link    string
	profile []byte
	conv    []byte
}

const (
	flagIndexed = 'A'
	flagDirty   = 'D'
)

// maxSeen is how many handled event ids a user's document remembers, to recognise a redelivery. 32 covers a
// minute of the most a user may send (MENTORBOT_RATE_PER_MINUTE, 30: updates beyond it are refused but still
// remembered) plus the tasks delivered meanwhile: Telegram redelivers a webhook update within seconds to
// minutes, a restarted poller re-reads one batch (at most 100 updates of all users, seconds of traffic), Slack
// retries within about five minutes, and the queue retries a task whose worker died after its lease (about a
// minute). An id pushed out before its redelivery comes is handled again: a command answers twice, a button press
// is refused as stale, and tasks re-check what they deliver.
const maxSeen = 32

// seenTokenLen is the length of one event id's token: 48 bits of a hash, so that two of a user's last 32 event
// ids are taken for each other about once in 10^13 updates.
const seenTokenLen = 8

var errBadDoc = errors.New("unreadable user document")

// seenToken is the token an event id is remembered by.
func seenToken(eventID string) string {
	sum := sha256.Sum256([]byte("mentorbot/seen\x00" + eventID))
	return base64.RawURLEncoding.EncodeToString(sum[:6])
}

// hasSeen reports whether the document remembers eventID as handled.
func (d *userDoc) hasSeen(eventID string) bool {
	tok := seenToken(eventID)
	for i := 0; i+seenTokenLen <= len(d.seen); i += seenTokenLen {
		if d.seen[i:i+seenTokenLen] == tok {
			return true
		}
	}
	return false
}

// remember adds eventID to the handled ids, forgetting the oldest beyond maxSeen.
func (d *userDoc) remember(eventID string) {
	d.seen += seenToken(eventID)
	if extra := len(d.seen) - maxSeen*seenTokenLen; extra > 0 {
		d.seen = d.seen[extra:]
	}
}

// encode writes the document with revision rev, its indexes marked as matching its facts.
func (d *userDoc) encode(rev int64) []byte {
	b := make([]byte, 0, 24+len(d.facts)+len(d.seen)+len(d.link)+len(d.profile)+len(d.conv))
	b = append(b, flagIndexed)
	b = strconv.AppendInt(b, rev, 10)
	b = append(b, '\n')
	b = append(b, d.facts...)
	b = append(b, '\n')
	b = append(b, d.seen...)
	b = append(b, '\n')
	b = append(b, d.link...)
	b = append(b, '\n')
	b = append(b, d.profile...)
	b = append(b, '\n')
	b = append(b, d.conv...)
	return b
}

// decodeDoc reads a document.
func decodeDoc(b []byte) (userDoc, error) {
	var d userDoc
	var lines [6][]byte
	for i := range 5 {
		j := bytes.IndexByte(b, '\n')
		if j < 0 {
			return d, errBadDoc
		}
		lines[i], b = b[:j], b[j+1:]
	}
	lines[5] = b
	head := lines[0]
	if len(head) < 2 || (head[0] != flagIndexed && head[0] != flagDirty) {
		return d, errBadDoc
	}
	rev, err := strconv.ParseInt(string(head[1:]), 10, 64)
	if err != nil {
		return d, errBadDoc
	}
	d.dirty, d.rev = head[0] == flagDirty, rev
	d.facts, d.seen, d.link = string(lines[1]), string(lines[2]), string(lines[3])
	d.profile, d.conv = lines[4], lines[5]
	return d, nil
}

// deadlineSlack is how late the deadline index may fire. An entry is written a slack later than the deadline, and
// left alone while the deadline moves within that: the answers of a check-in, each moving its deadline on by the
// minute or so it took, do not touch the index; a timeout runs at most this much late.
const deadlineSlack = 10 * time.Minute

// indexFacts is what the global indexes should hold for a user with profile p and conversation st, given what
// they hold now (was).
func indexFacts(p *flows.Profile, st *flows.State, was string) string {
	var roles []string
	for _, r := range indexedRoles {
		if p.Has(r) {
			roles = append(roles, string(r))
		}
	}
	_, indexed, _ := parseFacts(was)
	return strings.Join(roles, ",") + "|" + strconv.FormatInt(deadlineIndex(st.Deadline, indexed), 10)
}

// deadlineIndex is the score deadline d is indexed with (0: none), given the score it has now.
func deadlineIndex(d time.Time, indexed int64) int64 {
	if d.IsZero() {
		return 0
	}
	t, slack := d.Unix(), int64(deadlineSlack/time.Second)
	if indexed >= t && indexed-t <= slack {
		return indexed
	}
	return t + slack
}

// parseFacts splits facts into roles and the deadline score; ok is false for no facts (not indexed at all).
func parseFacts(f string) (roles []string, deadline int64, ok bool) {
	r, d, found := strings.Cut(f, "|")
	if !found {
		return nil, 0, false
	}
	if r != "" {
		roles = strings.Split(r, ",")
	}
	deadline, _ = strconv.ParseInt(d, 10, 64)
	return roles, deadline, true
}

// hasRole reports whether roles, as parsed from facts, hold r.
func hasRole(roles []string, r flows.Role) bool { return slices.Contains(roles, string(r)) }
