package checkin_test

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/checkin"
	"github.com/m4pris/mentorbot/flows/flowtest"
	"github.com/m4pris/mentorbot/flows/programme"
	"github.com/m4pris/mentorbot/flows/seal"
)

// env is a harness on Redis (REDIS_URL, or embedded) with the whole programme, a data key that tests can rotate,
// and mentoring pairs the test declares.
type env struct {
	*flowtest.Harness
	t      testing.TB
	conn   *redis.Conn
	store  *redis.Store
	sealer *swapSealer
	coord  string
	mu     sync.Mutex
	pairs  map[string]string // mentee pid → mentor pid
	// down makes the check-in store fail every call (Redis unreachable) while set.
	down atomic.Bool
}

// flaky is the check-in store as the feature sees it: e.store, failing while e.down is set.
type flaky struct {
	checkin.Store
	e *env
}

var errDown = errors.New("redis: connection refused")

func (f flaky) GetAlert(ctx context.Context, id string) (*checkin.Alert, error) {
	if f.e.down.Load() {
		return nil, errDown
	}
	return f.Store.GetAlert(ctx, id)
}

func (f flaky) PutAlert(ctx context.Context, a checkin.Alert, ttl time.Duration) error {
	if f.e.down.Load() {
		return errDown
	}
	return f.Store.PutAlert(ctx, a, ttl)
}

// swapSealer lets a test change the keys under a running engine (rotation).
type swapSealer struct {
	mu  sync.Mutex
	box *seal.Box
}

func (s *swapSealer) set(b *seal.Box) { s.mu.Lock(); s.box = b; s.mu.Unlock() }
func (s *swapSealer) get() *seal.Box  { s.mu.Lock(); defer s.mu.Unlock(); return s.box }
func (s *swapSealer) Seal(owner string, plain []byte) (string, error) {
	return s.get().Seal(owner, plain)
}
func (s *swapSealer) Open(owner, sealed string) ([]byte, error) { return s.get().Open(owner, sealed) }

func box(t testing.TB, keys ...seal.Key) *seal.Box {
	t.Helper()
	b, err := seal.New(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func key(id string, b byte) seal.Key { return seal.Key{ID: id, Secret: bytes.Repeat([]byte{b}, 32)} }

// newEnv builds the harness; admins become coordinators on their first message, and the first one is onboarded.
func newEnv(t testing.TB, admins ...string) *env {
	t.Helper()
	conn := redistest.Open(t, redistest.DBCheckin)
	e := &env{t: t, conn: conn, store: redis.NewStore(conn.Client), sealer: &swapSealer{box: box(t, key("k1", 1))}, pairs: map[string]string{}}
	setup := func(eng *flows.Engine, b flowtest.Backend) {
		programme.Register(eng, programme.Deps{Directory: b, Invites: b, Checkins: flaky{e.store, e}, Sealer: e.sealer, Mentors: (*pairs)(e)})
	}
	e.Harness = flowtest.NewHarness(t, e.store, setup, admins...)
	for _, a := range admins {
		e.onboard(a, false, false)
	}
	if len(admins) > 0 {
		e.coord = admins[0]
	}
	return e
}

// pairs is the test's mentoring feature: the pairs the test declares.
type pairs env

func (e *pairs) MentorOf(_ context.Context, p *flows.Profile) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m, ok := e.pairs[p.ID]
	return m, ok
}

func pid(user string) string { return flows.ProfileID(flowtest.Identity(user)) }

// onboard takes user through onboarding as a guest (coordinators get their role as admins).
func (e *env) onboard(user string, keep, alerts bool) {
	e.t.Helper()
	e.Onboard(user, user, flowtest.Onboarding{KeepScores: keep, Alerts: alerts})
}

var codeRe = regexp.MustCompile(`[0-9A-Z]{5}-[0-9A-Z]{5}`)

// join brings a new member in with an invite from the first coordinator.
func (e *env) join(user string, role flows.Role, keep, alerts bool) {
	e.t.Helper()
	code := codeRe.FindString(flowtest.Text(e.Say(e.coord, "/invite "+string(role))))
	if code == "" {
		e.t.Fatal("no invite code")
	}
	e.Onboard(user, user, flowtest.Onboarding{KeepScores: keep, Alerts: alerts, Code: code})
}

// checkin answers an instrument with typed option values (0 skips) and sends; it returns the replies to sending.
func (e *env) checkin(user, inst string, values ...int) []flows.Reply {
	e.t.Helper()
	e.Say(user, "/checkin "+inst)
	for _, v := range values {
		if v == 0 {
			e.Press(user, "Skip")
			continue
		}
		e.Say(user, strconv.Itoa(v))
	}
	return e.Press(user, "Send my answers")
}

// worrying is a CBI answered so that it scores 78.6 (shown as 79).
var worrying = []int{1, 1, 2, 2, 3, 3, 5}
