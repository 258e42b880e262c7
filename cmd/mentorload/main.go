// Command mentorload drives `mentorbot serve` through its Telegram webhook at a fixed rate against a real Redis,
// and reports latency, throughput, Redis round trips per update and the server's memory.
//
//	REDIS_URL=redis://127.0.0.1:6379/0 go run ./cmd/mentorload            # 1,000 updates/s for 30 s
//	go run ./cmd/mentorload -rate 500 -duration 10s -bin /path/to/mentorbot
//
// It builds cmd/mentorbot like CI (static, -trimpath -ldflags "-s -w") unless -bin is given, flushes Redis
// database -db (14 by default; the test packages use 1–12), and runs the binary as a child process in webhook
// mode against a fake Bot API it serves itself (answers at once, keeps only each chat's open keyboard). Then:
//
//  1. idle: waits -settle after /readyz, reads the child's VmRSS and the background Redis round trips (the
//     schedulers' ticks and asynq's polling share the client);
//  2. setup (not measured): coordinators onboard and make invite codes, and most users onboard, members with a
//     code, guests without;
//  3. load: -rate updates a second for -duration, open loop (each update is due at its own time, and latency counts
//     from then, so a backlog shows), round robin over the users; each update is what that user would do next given
//     the bot's last message: onboarding answers for the new users, button presses, /menu, /help, /lessons,
//     check-in answers (members), settings, privacy, a few typed words;
//  4. drain: waits until the outbox has sent every reply, then stops the child with SIGTERM.
//
// Latency is request → 200, which the webhook answers after the engine saved the update; the engine's own time
// comes from the mentorbot_update_seconds histogram. Replies go out afterwards through the outbox, so they are in
// neither. Round trips come from mentorbot_redis_roundtrips_total: via="store" (profiles, conversations: two per
// engine event, an update or a queued delivery), via="queue" (asynq: enqueueing the tasks some updates schedule,
// and delivering them), each less the rate measured idle, and via="rate" (the outbox booking each reply set in the
// send schedule the replicas share, after the webhook answered).
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "mentorload:", err)
		os.Exit(1)
	}
}

type options struct {
	bin         string
	redisURL    string
	db          int
	rate        float64
	duration    time.Duration
	users       int
	fresh       float64
	members     float64
	settle      time.Duration
	seed        uint64
	concurrency int
	connections int
}

var debug = flag.Bool("debug", false, "log each onboarding step of the setup")

func run() error {
	var o options
	flag.StringVar(&o.bin, "bin", "", "mentorbot binary to run (default: build ./cmd/mentorbot like CI)")
	flag.StringVar(&o.redisURL, "redis", or(os.Getenv("REDIS_URL"), "redis://127.0.0.1:6379"), "Redis server (its database is replaced by -db)")
	flag.IntVar(&o.db, "db", 14, "Redis database to FLUSH and use")
	flag.Float64Var(&o.rate, "rate", 1000, "updates a second")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "how long to send at -rate")
	flag.IntVar(&o.users, "users", 3000, "simulated users (each sends rate/users updates a second: keep it under MENTORBOT_RATE_PER_MINUTE, 30 a minute)")
	flag.Float64Var(&o.fresh, "new", 0.1, "share of users who start (onboard) during the load instead of before it")
	flag.Float64Var(&o.members, "members", 0.6, "share of users with an invite code (the rest are guests)")
	flag.DurationVar(&o.settle, "settle", 5*time.Second, "idle time after start-up before the idle RSS is read")
	flag.Uint64Var(&o.seed, "seed", 1, "random seed of the users' choices")
	flag.IntVar(&o.connections, "connections", 40, "most updates in flight at once, like Telegram's max_connections (serve sets 40); 0: no limit")
	flag.IntVar(&o.concurrency, "setup-concurrency", 500, "users onboarded at once before the load (Telegram's 1 message a second per chat paces each)")
	flag.Parse()
	if *killFlag >= 0 {
		return mainKill(context.Background(), o)
	}
	if o.rate <= 0 || o.duration <= 0 || o.users < 1 {
		return fmt.Errorf("-rate, -duration and -users must be positive")
	}
	ctx := context.Background()

	// Binary.
	if o.bin == "" {
		dir, err := os.MkdirTemp("", "mentorload")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		logf("building ./cmd/mentorbot (CGO_ENABLED=0 -trimpath -ldflags \"-s -w\")")
		if o.bin, err = buildBinary(dir); err != nil {
			return err
		}
	}
	st, err := os.Stat(o.bin)
	if err != nil {
		return err
	}

	// Redis.
	redisURL, err := withDB(o.redisURL, o.db)
	if err != nil {
		return err
	}
	ropt, err := goredis.ParseURL(redisURL)
	if err != nil {
		return err
	}
	rc := goredis.NewClient(ropt)
	if err := rc.FlushDB(ctx).Err(); err != nil {
		return fmt.Errorf("flush redis db %d: %w", o.db, err)
	}
	// redis-server's CPU, when it runs on this machine (INFO's process_id).
	redisStat := ""
	if info, err := rc.Info(ctx, "server").Result(); err == nil {
		for _, line := range strings.Split(info, "\n") {
			if pid, ok := strings.CutPrefix(strings.TrimSpace(line), "process_id:"); ok {
				redisStat = "/proc/" + pid + "/stat"
			}
		}
	}
	rc.Close()

	// Users: coordinators (ids 1…) make the invite codes; members and guests (ids 100001…) use the bot.
	us := make([]*user, o.users)
	wantCodes := 0
	for i := range us {
		us[i] = newUser(100001+int64(i), o.seed, o.members)
		if us[i].member {
			wantCodes++
		}
	}
	invites := (wantCodes + 19) / 20
	nAdmins := max(1, (invites+19)/20) // /invite makes at most 20 codes; 20 of them keep a coordinator under 30 a minute
	admins := make([]*user, nAdmins)
	adminIDs := make([]string, nAdmins)
	for i := range admins {
		admins[i] = newUser(int64(i+1), o.seed, 0)
		admins[i].lang, admins[i].hint = "en", "en"
		adminIDs[i] = "telegram:" + strconv.Itoa(i+1)
	}

	fake, err := startFake(func(chat int64) bool { return chat <= int64(nAdmins) })
	if err != nil {
		return err
	}
	defer fake.close()
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	const secret = "load-secret"
	env := map[string]string{
		"REDIS_URL":               redisURL,
		"TELEGRAM_BOT_TOKEN":      fakeToken,
		"TELEGRAM_API_URL":        fake.URL,
		"TELEGRAM_WEBHOOK_URL":    "https://load.invalid/telegram/webhook",
		"TELEGRAM_WEBHOOK_SECRET": secret,
		"TELEGRAM_SEND_RATE":      "100000", // the fake is not Telegram: no reason to pace
		"MENTORBOT_HTTP_ADDR":     addr,
		"MENTORBOT_ADMINS":        strings.Join(adminIDs, ","),
		"MENTORBOT_LOG_LEVEL":     "warn",
		"MENTORBOT_DATA_KEY":      "load:" + randomB64(32), // scores are sealed and kept, as in production
		"MENTORBOT_LOG_KEY":       randomB64(16),
	}
	c, err := startChild(o.bin, env)
	if err != nil {
		return err
	}
	defer func() {
		if c.cmd.ProcessState == nil {
			_ = c.cmd.Process.Kill()
		}
	}()
	if err := c.waitReady(30 * time.Second); err != nil {
		return fmt.Errorf("%w (log: %s)", err, c.log)
	}
	hook := c.base + "/telegram/webhook"
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024}, Timeout: 60 * time.Second}
	var updateID atomic.Int64
	post := func(u *user, a action) (int, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, hook, strings.NewReader(string(u.body(updateID.Add(1), a))))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}

	// Telegram sends a bot at most max_connections updates at once and queues the rest; so does this.
	inflight := make(chan struct{}, max(o.connections, 1))
	postLimited := func(u *user, a action) (int, error) {
		if o.connections > 0 {
			inflight <- struct{}{}
			defer func() { <-inflight }()
		}
		return post(u, a)
	}

	// 1. Idle.
	logf("serve is ready (pid %d); idle for %v", c.cmd.Process.Pid, o.settle)
	m0, err := c.scrape(ctx)
	if err != nil {
		return err
	}
	t0 := time.Now()
	time.Sleep(o.settle)
	idle := c.memory()
	m1, err := c.scrape(ctx)
	if err != nil {
		return err
	}
	background := byLabel(m0, m1, "mentorbot_redis_roundtrips_total", "via")
	for k := range background {
		background[k] /= time.Since(t0).Seconds()
	}

	// 2. Setup: invite codes, then onboarding (not measured).
	logf("setup: %d coordinators make %d invite codes; %d users onboard", nAdmins, wantCodes, o.users-int(float64(o.users)*o.fresh))
	codes, err := makeCodes(admins, fake, postLimited, invites)
	if err != nil {
		return err
	}
	for _, u := range us {
		if u.member && len(codes) > 0 {
			u.code, codes = codes[0], codes[1:]
		}
	}
	fresh := int(float64(o.users) * o.fresh)
	var setupErrs atomic.Int64
	var wg sync.WaitGroup
	work := make(chan *user)
	for range o.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range work {
				if err := onboard(u, fake, postLimited); err != nil {
					setupErrs.Add(1)
				}
			}
		}()
	}
	setupStart := time.Now()
	stopSetup := c.sample(100 * time.Millisecond)
	for _, u := range us[fresh:] {
		work <- u
	}
	close(work)
	wg.Wait()
	if n := setupErrs.Load(); n > 0 {
		logf("setup: %d users did not finish onboarding (they carry on during the load)", n)
	}
	waitQuiet(fake, 300*time.Millisecond, 30*time.Second)
	setupPeak := stopSetup()
	logf("setup took %.1f s", time.Since(setupStart).Seconds())

	// 3. Load.
	total := int(o.rate * o.duration.Seconds())
	logf("load: %d updates at %.0f/s", total, o.rate)
	before, err := c.scrape(ctx)
	if err != nil {
		return err
	}
	sentBefore := fake.sent.Load()
	lat := make([]time.Duration, total)
	var failed, non200 atomic.Int64
	var presses, commands, texts atomic.Int64
	stopLoad := c.sample(100 * time.Millisecond)
	cpu0, self0, redis0, mach0 := c.cpu(), cpuOf("/proc/self/stat"), cpuOf(redisStat), readMachine()
	start := time.Now().Add(5 * time.Millisecond)
	var reqs sync.WaitGroup
	for i := range total {
		due := start.Add(time.Duration(float64(i) * float64(time.Second) / o.rate))
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		u := us[i%len(us)]
		reqs.Add(1)
		go func() {
			defer reqs.Done()
			if o.connections > 0 {
				inflight <- struct{}{}
				defer func() { <-inflight }()
			}
			a := u.next(fake.chat(u.id).view())
			switch {
			case a.data != "":
				presses.Add(1)
			case strings.HasPrefix(a.text, "/"):
				commands.Add(1)
			default:
				texts.Add(1)
			}
			code, err := post(u, a)
			lat[i] = time.Since(due)
			if err != nil {
				failed.Add(1)
			} else if code != http.StatusOK {
				non200.Add(1)
			}
		}()
	}
	reqs.Wait()
	elapsed := time.Since(start)
	cpuLoad, cpuSelf, cpuRedis, mach := c.cpu()-cpu0, cpuOf("/proc/self/stat")-self0, cpuOf(redisStat)-redis0, readMachine()
	final := c.memory()
	peak := stopLoad()
	after, err := c.scrape(ctx)
	if err != nil {
		return err
	}
	// 4. Drain: the outbox sends the last replies, and the queue worker (which polls every second) delivers the
	// tasks the updates queued for now (notices to coordinators, mentors…).
	loadEnd := time.Now()
	waitQuiet(fake, 1500*time.Millisecond, 60*time.Second)
	drain := time.Since(loadEnd)
	lastSent := time.Unix(0, fake.lastAt.Load()).Sub(loadEnd)
	drained, err := c.scrape(ctx)
	if err != nil {
		return err
	}
	sent := fake.sent.Load() - sentBefore
	if err := c.stop(30 * time.Second); err != nil {
		logf("stop: %v (log: %s)", err, c.log)
	}

	// Report.
	slices.Sort(lat)
	pct := func(p float64) string {
		return fmt.Sprintf("%.2f ms", float64(lat[int(math.Round(p*float64(len(lat)-1)))])/float64(time.Millisecond))
	}
	out := outcomes(before, after)
	handled := 0.0
	for _, v := range out {
		handled += v
	}
	// Round trips from the start of the load until the last queued delivery ran, less the idle rate.
	span := (elapsed + drain).Seconds()
	rts := byLabel(before, drained, "mentorbot_redis_roundtrips_total", "via")
	storeRT, queueRT, rateRT := rts["store"]-background["store"]*span, rts["queue"]-background["queue"]*span, rts["rate"]
	jobs := byLabel(before, drained, "mentorbot_tasks_total", "job")
	tasks := 0.0
	var jobNames []string
	for j, n := range jobs {
		tasks += n
		if n > 0 {
			jobNames = append(jobNames, j)
		}
	}
	slices.SortFunc(jobNames, func(a, b string) int { return int(jobs[b] - jobs[a]) })
	var topJobs []string
	for _, j := range jobNames[:min(4, len(jobNames))] {
		topJobs = append(topJobs, fmt.Sprintf("%s %.0f", j, jobs[j]))
	}
	tasksAfter := drained["mentorbot_tasks_total"] - after["mentorbot_tasks_total"]
	mb := func(kb int64) string { return fmt.Sprintf("%.1f MB", float64(kb)/1024) }
	gc := func(name string, m metrics, unit string) string {
		v, ok := m[name]
		switch {
		case !ok:
			return "?"
		case unit == "bytes" && v >= math.MaxInt64/2:
			return "off"
		case unit == "bytes":
			return fmt.Sprintf("%.0f MiB", v/(1<<20))
		}
		return fmt.Sprintf("%.0f", v)
	}
	nFresh, nMembers := fresh, 0
	for _, u := range us {
		if u.member {
			nMembers++
		}
	}
	w := os.Stdout
	fmt.Fprintf(w, "mentorload: %.0f updates/s for %v over the Telegram webhook (at most %d at once), %d users (%d onboard during the load, %d members), Redis db %d\n",
		o.rate, o.duration, o.connections, o.users, nFresh, nMembers, o.db)
	row := func(k, f string, a ...any) { fmt.Fprintf(w, "  %-13s %s\n", k, fmt.Sprintf(f, a...)) }
	row("binary", "%s, %.1f MB", o.bin, float64(st.Size())/1e6)
	row("GC", "GOGC=%s GOMEMLIMIT=%s GOMAXPROCS=%s (child's runtime)", gc("go_gc_gogc_percent", after, ""),
		gc("go_gc_gomemlimit_bytes", after, "bytes"), gc("go_sched_gomaxprocs_threads", after, ""))
	row("latency", "p50 %s  p90 %s  p99 %s  max %s  (due → 200)", pct(0.50), pct(0.90), pct(0.99), pct(1))
	row("engine", "p50 %s  p99 %s  (load, flow, save: mentorbot_update_seconds buckets)", engineQuantile(before, after, 0.5), engineQuantile(before, after, 0.99))
	row("throughput", "%d sent in %.2f s = %.0f/s; %.0f handled; errors %d, non-200 %d",
		total, elapsed.Seconds(), float64(total)/elapsed.Seconds(), handled, failed.Load(), non200.Load())
	row("outcomes", "ok %.0f  duplicate %.0f  limited %.0f  error %.0f", out["ok"], out["duplicate"], out["limited"], out["error"])
	row("mix", "%.0f%% button presses, %.0f%% commands, %.0f%% typed text",
		100*float64(presses.Load())/float64(total), 100*float64(commands.Load())/float64(total), 100*float64(texts.Load())/float64(total))
	row("round trips", "%.2f/update in all: %.2f store per engine event (%.0f updates + %.0f queued deliveries), %.2f queue per update (enqueue, deliver); less the idle rate (%.1f/s store, %.1f/s queue)",
		(storeRT+queueRT)/handled, storeRT/(handled+tasks), handled, tasks, queueRT/handled, background["store"], background["queue"])
	row("send schedule", "%.2f round trips per update (one per reply set, booked by the outbox after the 200; not in the handling budget)", rateRT/handled)
	row("deliveries", "%s (%.0f ran after the load)", strings.Join(topJobs, ", "), tasksAfter)
	row("replies", "%d messages (%.2f/update); the last sent %.2f s after the last update", sent, float64(sent)/handled, math.Max(0, lastSent.Seconds()))
	row("RSS idle", "%s (anon %s, file %s) after %v", mb(idle.RSS), mb(idle.Anon), mb(idle.File), o.settle)
	row("RSS load", "peak %s (anon %s), at the end %s; setup (%d users onboarding at once) peak %s",
		mb(peak.RSS), mb(peak.Anon), mb(final.RSS), o.concurrency, mb(setupPeak.RSS))
	cores := func(d time.Duration) float64 { return d.Seconds() / elapsed.Seconds() }
	busy := mach.busy - mach0.busy
	row("CPU", "serve %.2f cores, mentorload (users, fake Bot API) %.2f, redis-server %.2f, other processes %.2f; machine busy %.2f of %d, steal %.2f",
		cores(cpuLoad), cores(cpuSelf), cores(cpuRedis), math.Max(0, cores(busy-cpuLoad-cpuSelf-cpuRedis)), cores(busy), mach.cpus, cores(mach.steal-mach0.steal))
	if b, err := os.ReadFile(c.log); err == nil && len(b) > 0 {
		row("serve log", "%d lines (%s)", strings.Count(string(b), "\n"), c.log)
	} else if err == nil {
		os.Remove(c.log)
	}
	return nil
}

// onboard walks u through onboarding one answer at a time, waiting for each reply.
func onboard(u *user, fake *fakeAPI, post func(*user, action) (int, error)) error {
	ch := fake.chat(u.id)
	for range 16 {
		v := ch.view()
		a := u.next(v)
		if *debug {
			logf("%s user %d (%s): %v → %+v", time.Now().Format("05.000"), u.id, u.lang, v.keyboard, a)
		}
		if code, err := post(u, a); err != nil || code != http.StatusOK {
			return fmt.Errorf("onboard: %d %v", code, err)
		}
		u.mu.Lock()
		done := u.onboarded
		u.mu.Unlock()
		if done {
			// The last answer's reply has no question; wait for it so that the load starts from a quiet bot.
			ch.waitReply(v.seq, 20*time.Millisecond, 5*time.Second)
			return nil
		}
		// Every onboarding answer is followed by the next question (a message with buttons).
		ch.waitQuestion(v.kbMsg, 5*time.Second)
	}
	return fmt.Errorf("onboarding did not finish")
}

var codeRE = regexp.MustCompile(`[0-9A-Z]{5}-[0-9A-Z]{5}`)

// makeCodes has the coordinators onboard and ask for invites (20 codes each; every fifth for mentors).
func makeCodes(admins []*user, fake *fakeAPI, post func(*user, action) (int, error), invites int) ([]string, error) {
	var mu sync.Mutex
	var codes []string
	var wg sync.WaitGroup
	errc := make(chan error, len(admins))
	for i, a := range admins {
		n := invites / len(admins)
		if i < invites%len(admins) {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := onboard(a, fake, post); err != nil {
				errc <- fmt.Errorf("coordinator: %w", err)
				return
			}
			ch := fake.chat(a.id)
			ch.takeText()
			for j := range n {
				role := "mentee"
				if j%5 == 4 {
					role = "mentor"
				}
				v := ch.view()
				if code, err := post(a, action{text: "/invite " + role + " 20"}); err != nil || code != http.StatusOK {
					errc <- fmt.Errorf("invite: %d %v", code, err)
					return
				}
				ch.waitReply(v.seq, 20*time.Millisecond, 5*time.Second)
				got := codeRE.FindAllString(ch.takeText(), -1)
				mu.Lock()
				codes = append(codes, got...)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return nil, err
	}
	return codes, nil
}

// waitQuiet waits until the fake Bot API has had no call for quiet (the outbox is empty), at most timeout.
func waitQuiet(f *fakeAPI, quiet, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if time.Since(time.Unix(0, f.lastAt.Load())) >= quiet {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func withDB(raw string, db int) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("-redis: %w", err)
	}
	u.Path = "/" + strconv.Itoa(db)
	return u.String(), nil
}

func randomB64(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "mentorload: "+format+"\n", a...)
}
