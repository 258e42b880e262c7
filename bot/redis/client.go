package redis

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"

	"github.com/alicebob/miniredis/v2"
	goredis "github.com/redis/go-redis/v9"
)

// Client is the go-redis client every store uses: a single server, Sentinel or Cluster.
type Client = goredis.UniversalClient

// Conn is an open Redis connection and what closes it (the embedded server too).
type Conn struct {
	Client Client
	// Embedded is the in-process server when no URL was configured; nil otherwise.
	Embedded *miniredis.Miniredis
	// Addr is the address clients (asynq) connect to.
	Addr     string
	Password string
	DB       int
}

// Close closes the client and stops an embedded server.
func (c *Conn) Close() error {
	err := c.Client.Close()
	if c.Embedded != nil {
		c.Embedded.Close()
	}
	return err
}

// Open connects to Redis at rawURL. An empty URL starts an embedded in-process server, and says so in the log:
// everything then lives in memory and is gone when the process stops.
//
// URL forms: redis://[:password@]host:port/db and rediss:// (TLS) for one server; add ?cluster=1 (and more
// ?addr=host:port) for Cluster; ?sentinel_master=NAME (hosts are then the Sentinels) for Sentinel.
func Open(ctx context.Context, rawURL string, log *slog.Logger) (*Conn, error) {
	setLogger.Do(func() { goredis.SetLogger(redisLog{log.With("component", "redis")}) })
	if rawURL == "" {
		m, err := miniredis.Run()
		if err != nil {
			return nil, fmt.Errorf("start embedded redis: %w", err)
		}
		log.Warn("no REDIS_URL set: using an embedded in-memory store; all state is lost when the bot stops")
		c := goredis.NewUniversalClient(&goredis.UniversalOptions{Addrs: []string{m.Addr()}})
		return &Conn{Client: c, Embedded: m, Addr: m.Addr()}, nil
	}
	opts, err := universalOptions(rawURL)
	if err != nil {
		return nil, err
	}
	c := goredis.NewUniversalClient(opts)
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("connect redis: %w", err)
	}
	return &Conn{Client: c, Addr: opts.Addrs[0], Password: opts.Password, DB: opts.DB}, nil
}

func universalOptions(rawURL string) (*goredis.UniversalOptions, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	q := u.Query()
	master := q.Get("sentinel_master")
	cluster := q.Get("cluster") == "1" || q.Get("cluster") == "true"
	q.Del("sentinel_master")
	q.Del("cluster")
	u.RawQuery = q.Encode()
	clean := u.String()
	if cluster {
		co, err := goredis.ParseClusterURL(clean)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL (cluster): %w", err)
		}
		return &goredis.UniversalOptions{Addrs: co.Addrs, Username: co.Username, Password: co.Password, TLSConfig: co.TLSConfig, IsClusterMode: true}, nil
	}
	// Extra hosts for Sentinel come as ?addr=host:port like the cluster form.
	extra := q["addr"]
	q.Del("addr")
	u.RawQuery = q.Encode()
	o, err := goredis.ParseURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	addrs := append([]string{o.Addr}, extra...)
	// go-redis's own URL parameters (max_retries, dial_timeout, read_timeout…) are honoured, not silently dropped;
	// absent ones stay zero, which means go-redis's defaults.
	uo := &goredis.UniversalOptions{Addrs: addrs[:1], Username: o.Username, Password: o.Password, DB: o.DB, TLSConfig: o.TLSConfig,
		MaxRetries: o.MaxRetries, MinRetryBackoff: o.MinRetryBackoff, MaxRetryBackoff: o.MaxRetryBackoff,
		DialTimeout: o.DialTimeout, ReadTimeout: o.ReadTimeout, WriteTimeout: o.WriteTimeout,
		PoolSize: o.PoolSize, PoolTimeout: o.PoolTimeout}
	if master != "" && !strings.HasPrefix(rawURL, "unix") {
		uo.Addrs, uo.MasterName = addrs, master
	}
	return uo, nil
}

// setLogger sets go-redis's logger once: it is one unguarded global, which pool goroutines read.
var setLogger sync.Once

// redisLog sends go-redis's own messages (connection pool trouble: addresses and errors, no data) to the JSON log
// instead of plain lines on stderr. go-redis keeps one logger per process: the first Open's.
type redisLog struct{ l *slog.Logger }

func (r redisLog) Printf(_ context.Context, format string, v ...any) {
	r.l.Warn(fmt.Sprintf(format, v...))
}

// Ready reports whether Redis can serve updates now: a single server (or the master Sentinel names) answers; in
// a Cluster every master answers and reports cluster_state ok. PING alone is not enough for a Cluster: a node
// answers it while the cluster is down ("CLUSTERDOWN"), and a replica whose updates would all fail must leave the
// load balancer.
func (c *Conn) Ready(ctx context.Context) error {
	cc, ok := c.Client.(*goredis.ClusterClient)
	if !ok {
		// Through Sentinel, the client asks the Sentinels for the master and PINGs it: no reachable master (or no
		// Sentinel that names one) is an error.
		if err := c.Client.Ping(ctx).Err(); err != nil {
			return fmt.Errorf("redis: %w", err)
		}
		return nil
	}
	err := cc.ForEachMaster(ctx, func(ctx context.Context, m *goredis.Client) error {
		info, err := m.ClusterInfo(ctx).Result()
		if err != nil {
			return fmt.Errorf("master %s: %w", m.Options().Addr, err)
		}
		if !strings.Contains(info, "cluster_state:ok") {
			return fmt.Errorf("master %s: cluster state not ok", m.Options().Addr)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis cluster: %w", err)
	}
	return nil
}
