// Command mentorbot is the chat assistant of the M4Pris peer-mentoring programme for prison staff.
//
//	mentorbot chat [--as NAME] [--lang da]   talk to the bot in this terminal (no tokens needed)
//	mentorbot serve                          run the configured platforms, schedulers and HTTP server
//	mentorbot content check                  check every text, lesson and instrument in every language
//	mentorbot keygen [data|log]              print fresh keys for MENTORBOT_DATA_KEY and MENTORBOT_LOG_KEY
//	mentorbot version                        print the version and build information
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/m4pris/mentorbot/bot/console"
	"github.com/m4pris/mentorbot/content"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first signal starts a graceful shutdown, restore the default so a second one exits at once.
		<-ctx.Done()
		stop()
	}()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "mentorbot:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  mentorbot chat [--as NAME] [--lang en|da|ro]   talk to the bot in this terminal
  mentorbot serve                                run platforms, schedulers and the HTTP server
  mentorbot content check                        check all content in every language
  mentorbot keygen [data|log]                    print fresh keys for MENTORBOT_DATA_KEY and MENTORBOT_LOG_KEY
  mentorbot version                              print version and build information`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "chat":
		return runChat(ctx, args[1:], stdin, stdout, stderr, getenv)
	case "serve":
		return runServe(ctx, args[1:], stderr, getenv)
	case "content":
		if len(args) < 2 || args[1] != "check" {
			return errors.New(usage)
		}
		return runContentCheck(stdout)
	case "keygen":
		return runKeygen(args[1:], stdout)
	case "health":
		// For container health checks on images without a shell: mentorbot health http://127.0.0.1:8080/readyz
		if len(args) != 2 {
			return errors.New("usage: mentorbot health URL")
		}
		return checkHealth(ctx, args[1])
	case "version", "--version", "-v":
		printVersion(stdout)
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}

func runChat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	as := fs.String("as", "me", "local user name to start as (switch later with /as NAME)")
	lang := fs.String("lang", "", "language hint for new local users: en, da or ro (default from $LANG)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := configFromEnv(getenv)
	if err != nil {
		return err
	}
	if *lang == "" {
		*lang = getenv("LANG")
	}
	// The local chat logs only warnings, to stderr, so the conversation stays readable.
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	m, err := Open(ctx, cfg, log, nil)
	if err != nil {
		return err
	}
	defer m.Close()
	chat := console.New(m.Engine, stdin, stdout, *as, *lang)
	m.Engine.SetSender("console", chat)
	// The same asynq queue and periodic jobs as serve, on the embedded server when no REDIS_URL is set.
	stop, err := startLocalNudge(ctx, m)
	if err != nil {
		return err
	}
	defer stop()
	return chat.Run(ctx)
}

func runContentCheck(stdout io.Writer) error {
	problems := content.Check(content.FS())
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		return fmt.Errorf("content check: %d problems", len(problems))
	}
	fmt.Fprintln(stdout, "content check: ok")
	return nil
}

func printVersion(w io.Writer) {
	fmt.Fprintf(w, "mentorbot %s\n", version)
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(w, "go %s\n", strings.TrimPrefix(bi.GoVersion, "go"))
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision", "vcs.time", "vcs.modified", "CGO_ENABLED", "GOOS", "GOARCH":
				fmt.Fprintf(w, "%s %s\n", s.Key, s.Value)
			}
		}
	}
}

func checkHealth(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s", resp.Status)
	}
	return nil
}
