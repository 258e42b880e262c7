package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/m4pris/mentorbot/flows"
)

// The outbox: a user's pending replies live in a hash beside the user's document, in the same slot, written by
// the save script with the state (flows.Outbound). Per event two fields: "<event>" holds the Outbound as JSON,
// "<event>#" its state: "<parts sent> <owner>", where owner names the store instance (one a process) sending
// them, or is empty when nobody is (released). The hash disappears with its last entry, so it exists only while
// something is pending, and the sweeper finds those users by scanning for it.
//
// Who may send: the owner while it is alive (its key mb:alive:<owner> exists, renewed every few seconds), anyone
// who claims the entry once it is released or its owner's key expired (the process died). A claim swaps the owner
// in a script only if the state is still the one read, so two claimants never both win.
//
// Acknowledgements (flows.Outbox.Ack) are batched: each waits up to AckDelay for others, and one pipeline writes
// them all; Ack returns when its own write is done, so an adapter that waits for it before the chat's next part
// can repeat at most one part after a crash.

// Heartbeat of a store instance that owns pending replies.
const (
	aliveTTL   = 15 * time.Second
	aliveEvery = 5 * time.Second
)

// pendingState is the value of an entry's state field.
func pendingState(sent int, owner string) string { return strconv.Itoa(sent) + " " + owner }

func parseState(v string) (sent int, owner string) {
	n, owner, _ := strings.Cut(v, " ")
	sent, _ = strconv.Atoi(n)
	return sent, owner
}

// Ack implements flows.Outbox: it records progress (or removes the entry when done) in the next batch and waits
// until that batch is written.
func (s *Store) Ack(ctx context.Context, pid, eventID string, sent int, done bool) error {
	op := &ackOp{pid: pid, event: eventID, sent: sent, done: done, res: make(chan error, 1)}
	delay := s.AckDelay
	if delay <= 0 {
		delay = 20 * time.Millisecond
	}
	s.acks.add(op, delay, func(ops []*ackOp) { s.flushAcks(ops) })
	select {
	case err := <-op.res:
		if err != nil {
			return fmt.Errorf("ack: %w", err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("ack: %w", ctx.Err())
	}
}

// ackOp is one acknowledgement waiting for its batch.
type ackOp struct {
	pid, event string
	sent       int
	done       bool
	res        chan error
}

// acker collects acknowledgements for one pipeline. The first of a batch starts a timer; when it fires, the
// batch is written. maxAckBatch bounds a pipeline.
type acker struct {
	mu    sync.Mutex
	batch []*ackOp
}

const maxAckBatch = 512

func (a *acker) add(op *ackOp, delay time.Duration, flush func([]*ackOp)) {
	a.mu.Lock()
	a.batch = append(a.batch, op)
	n := len(a.batch)
	var full []*ackOp
	if n >= maxAckBatch {
		full, a.batch = a.batch, nil
	}
	a.mu.Unlock()
	switch {
	case full != nil:
		go flush(full)
	case n == 1:
		time.AfterFunc(delay, func() {
			a.mu.Lock()
			b := a.batch
			a.batch = nil
			a.mu.Unlock()
			if len(b) > 0 {
				flush(b)
			}
		})
	}
}

// flushAcks writes a batch of acknowledgements in one pipeline and tells each its own result.
func (s *Store) flushAcks(ops []*ackOp) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pipe := s.c.Pipeline()
	cmds := make([]goredis.Cmder, len(ops))
	for i, op := range ops {
		if op.done {
			cmds[i] = pipe.HDel(ctx, keyOutbox(op.pid), op.event, op.event+"#")
		} else {
			cmds[i] = pipe.HSet(ctx, keyOutbox(op.pid), op.event+"#", pendingState(op.sent, s.owner))
		}
	}
	_, _ = pipe.Exec(ctx)
	for i, op := range ops {
		op.res <- cmds[i].Err()
	}
}

// releaseScript hands an entry back (owner emptied) if owner still holds it.
//
// KEYS[1] outbox hash; ARGV[1] state field; ARGV[2] owner. Returns 1 when released.
var releaseOutboxScript = goredis.NewScript(`
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
local sent, owner = string.match(v, '^(%d+) (.*)$')
if owner ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], sent .. ' ')
return 1
`)

// Release implements flows.Outbox.
func (s *Store) Release(ctx context.Context, pid, eventID string) error {
	if err := runScript(ctx, s.c, releaseOutboxScript, []string{keyOutbox(pid)}, eventID+"#", s.owner).Err(); err != nil {
		return fmt.Errorf("release pending replies: %w", err)
	}
	return nil
}

// claimScript takes an entry for a new owner if its state is still the one read.
//
// KEYS[1] outbox hash; ARGV[1] state field; ARGV[2] state read; ARGV[3] new state. Returns 1 when taken.
var claimOutboxScript = goredis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
`)

// Claim implements flows.Outbox.
func (s *Store) Claim(ctx context.Context, pid, eventID string) (*flows.Outbound, error) {
	vals, err := s.c.HMGet(ctx, keyOutbox(pid), eventID, eventID+"#").Result()
	if err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	body, _ := vals[0].(string)
	state, _ := vals[1].(string)
	if body == "" || state == "" {
		return nil, nil
	}
	e := entry{pid: pid, event: eventID, body: body, state: state}
	dead, err := s.deadOwners(ctx, []entry{e})
	if err != nil {
		return nil, err
	}
	if !dead[e.owner()] {
		return nil, nil
	}
	got, err := s.claim(ctx, []entry{e})
	if err != nil || len(got) == 0 {
		return nil, err
	}
	return got[0], nil
}

// entry is one pending event read from an outbox hash.
type entry struct {
	pid, event, body, state string
}

func (e entry) owner() string {
	_, o := parseState(e.state)
	return o
}

// deadOwners tells which owners of entries may be taken over: nobody (released), or an instance whose heartbeat
// expired. The store's own instance is alive.
func (s *Store) deadOwners(ctx context.Context, es []entry) (map[string]bool, error) {
	dead := map[string]bool{"": true}
	var owners []string
	for _, e := range es {
		if o := e.owner(); o != "" && o != s.owner && !slices.Contains(owners, o) {
			owners = append(owners, o)
		}
	}
	if len(owners) == 0 {
		return dead, nil
	}
	pipe := s.c.Pipeline()
	cmds := make([]*goredis.IntCmd, len(owners))
	for i, o := range owners {
		cmds[i] = pipe.Exists(ctx, keyAlive(o))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("owners alive: %w", err)
	}
	for i, o := range owners {
		dead[o] = cmds[i].Val() == 0
	}
	return dead, nil
}

// claim takes the entries for this instance (one pipeline of scripts) and returns those it won.
func (s *Store) claim(ctx context.Context, es []entry) ([]*flows.Outbound, error) {
	if err := s.alive.ensure(ctx, s.c, s.owner); err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	args := func(e entry) (keys []string, argv []any) {
		sent, _ := parseState(e.state)
		return []string{keyOutbox(e.pid)}, []any{e.event + "#", e.state, pendingState(sent, s.owner)}
	}
	pipe := s.c.Pipeline()
	cmds := make([]*goredis.Cmd, len(es))
	for i, e := range es {
		k, a := args(e)
		cmds[i] = claimOutboxScript.EvalSha(ctx, pipe, k, a...)
	}
	if _, err := pipe.Exec(ctx); err != nil && !isNoScript(err) {
		return nil, fmt.Errorf("claim: %w", err)
	}
	var out []*flows.Outbound
	for i, e := range es {
		n, err := cmds[i].Int()
		if isNoScript(err) {
			k, a := args(e)
			n, err = runScript(ctx, s.c, claimOutboxScript, k, a...).Int()
		}
		if err != nil {
			return out, fmt.Errorf("claim: %w", err)
		}
		if n != 1 {
			continue
		}
		o := new(flows.Outbound)
		if err := s.decodeBody(e, o); err != nil {
			// Unreadable (written by another build): nothing can be sent; drop it rather than retry forever.
			_ = s.c.HDel(ctx, keyOutbox(e.pid), e.event, e.event+"#").Err()
			continue
		}
		o.Profile, o.Event = e.pid, e.event
		o.Sent, _ = parseState(e.state)
		out = append(out, o.Bind(s))
	}
	return out, nil
}

// Stale implements flows.Outbox: it scans for outbox hashes (on every master of a Cluster), reads them, and
// claims up to limit entries saved more than age ago whose owner died or released them.
func (s *Store) Stale(ctx context.Context, age time.Duration, limit int) ([]*flows.Outbound, error) {
	keys, err := s.scan(ctx, patternOutbox)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	var out []*flows.Outbound
	for len(keys) > 0 && len(out) < limit {
		n := min(len(keys), 100)
		got, err := s.staleIn(ctx, keys[:n], age, limit-len(out))
		if err != nil {
			return out, err
		}
		out = append(out, got...)
		keys = keys[n:]
	}
	return out, nil
}

// staleIn reads the outbox hashes keys and claims up to limit of their stale entries.
func (s *Store) staleIn(ctx context.Context, keys []string, age time.Duration, limit int) ([]*flows.Outbound, error) {
	pipe := s.c.Pipeline()
	cmds := make([]*goredis.MapStringStringCmd, len(keys))
	for i, k := range keys {
		cmds[i] = pipe.HGetAll(ctx, k)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	before := time.Now().Add(-age)
	var es []entry
	for i, k := range keys {
		pid, ok := pidOf(k)
		if !ok {
			continue
		}
		for f, body := range cmds[i].Val() {
			if strings.HasSuffix(f, "#") {
				continue
			}
			state, ok := cmds[i].Val()[f+"#"]
			if !ok {
				continue
			}
			e := entry{pid: pid, event: f, body: body, state: state}
			var at struct {
				Saved time.Time `json:"saved"`
			}
			if s.decodeBody(e, &at) == nil && at.Saved.After(before) {
				continue
			}
			es = append(es, e)
		}
	}
	dead, err := s.deadOwners(ctx, es)
	if err != nil {
		return nil, err
	}
	var take []entry
	for _, e := range es {
		if dead[e.owner()] && len(take) < limit {
			take = append(take, e)
		}
	}
	if len(take) == 0 {
		return nil, nil
	}
	return s.claim(ctx, take)
}

// pidOf is the profile id in a user key "mb:{pid}:…".
func pidOf(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, prefix+"{")
	if !ok {
		return "", false
	}
	pid, _, ok := strings.Cut(rest, "}")
	return pid, ok
}

// heartbeat keeps an instance's alive key while it may own pending replies: set before the first entry it owns is
// written, renewed in the background until Close.
type heartbeat struct {
	mu      sync.Mutex
	started bool
	stop    chan struct{}
	done    chan struct{}
}

// ensure sets the alive key and starts renewing it, the first time.
func (h *heartbeat) ensure(ctx context.Context, c Client, owner string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.started {
		return nil
	}
	if err := c.Set(ctx, keyAlive(owner), 1, aliveTTL).Err(); err != nil {
		return fmt.Errorf("heartbeat: %w", err)
	}
	h.started = true
	h.stop, h.done = make(chan struct{}), make(chan struct{})
	go h.run(c, owner)
	return nil
}

func (h *heartbeat) run(c Client, owner string) {
	defer close(h.done)
	t := time.NewTicker(aliveEvery)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = c.Del(ctx, keyAlive(owner)).Err()
			cancel()
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), aliveEvery)
		err := c.Set(ctx, keyAlive(owner), 1, aliveTTL).Err()
		cancel()
		if errors.Is(err, goredis.ErrClosed) {
			return
		}
	}
}

// Close stops the store's heartbeat and removes its alive key, so that the replies it still owned (not sent at
// shutdown) can be taken over at once. Call it before closing the client.
func (s *Store) Close() {
	h := &s.alive
	h.mu.Lock()
	started := h.started
	h.started = false
	h.mu.Unlock()
	if started {
		close(h.stop)
		<-h.done
	}
}

// Sealer encrypts what the outbox keeps (flows/seal.Box does): replies may show a person their check-in result,
// and health data reaches Redis only sealed. owner binds a sealed value to its place (user and event).
type Sealer interface {
	Seal(owner string, plain []byte) (string, error)
	Open(owner, sealed string) ([]byte, error)
}

// encodeBody is the stored form of an event's pending replies: their JSON, sealed when the store has a Sealer.
func (s *Store) encodeBody(pid, eventID string, out *flows.Outbound) (string, error) {
	b, err := json.Marshal(out)
	if err != nil {
		return "", fmt.Errorf("encode pending replies: %w", err)
	}
	if s.Sealer == nil {
		return string(b), nil
	}
	sealed, err := s.Sealer.Seal("outbox/"+pid+"/"+eventID, b)
	if err != nil {
		return "", fmt.Errorf("seal pending replies: %w", err)
	}
	return sealed, nil
}

// decodeBody reads an entry's stored replies into v: plain JSON (written without a Sealer), or sealed.
func (s *Store) decodeBody(e entry, v any) error {
	b := []byte(e.body)
	if !strings.HasPrefix(e.body, "{") {
		if s.Sealer == nil {
			return errors.New("sealed pending replies and no key")
		}
		var err error
		if b, err = s.Sealer.Open("outbox/"+e.pid+"/"+e.event, e.body); err != nil {
			return err
		}
	}
	return json.Unmarshal(b, v)
}
