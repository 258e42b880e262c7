// Package console is the local terminal chat: the same engine and flows as Telegram and Slack, with buttons shown
// as numbered choices. Several local users can take turns (/as NAME) so pairing and alerts can be tried alone.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/m4pris/mentorbot/flows"
)

// Chat is one terminal session.
type Chat struct {
	eng  *flows.Engine
	in   io.Reader
	out  io.Writer
	lang string

	mu      sync.Mutex
	user    string
	buttons map[string][]flows.Button // latest buttons each local user got
}

var _ flows.Sender = (*Chat)(nil)

// New returns a chat on in/out starting as user. lang is the language hint a new user's profile starts with.
func New(eng *flows.Engine, in io.Reader, out io.Writer, user, lang string) *Chat {
	return &Chat{eng: eng, in: in, out: out, user: user, lang: lang, buttons: map[string][]flows.Button{}}
}

// Run reads lines until EOF, /quit or ctx ends.
func (c *Chat) Run(ctx context.Context) error {
	c.printf("mentorbot local chat. You are %q. Type /start to begin, /as NAME to switch user, /quit to leave.\n", c.user)
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(c.in)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		errc <- sc.Err()
	}()
	for {
		c.prompt()
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			c.printf("\n")
			return err
		case line := <-lines:
			if quit := c.line(ctx, line); quit {
				return nil
			}
		}
	}
}

func (c *Chat) prompt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.out, "%s › ", c.user)
}

func (c *Chat) printf(format string, a ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.out, format, a...)
}

// line handles one typed line; it reports whether the user quit.
func (c *Chat) line(ctx context.Context, line string) bool {
	t := strings.TrimSpace(line)
	switch {
	case t == "/quit" || t == "/exit":
		return true
	case strings.HasPrefix(t, "/as"):
		name := strings.TrimSpace(strings.TrimPrefix(t, "/as"))
		if name == "" || strings.ContainsAny(name, " :") {
			c.printf("usage: /as NAME (one word)\n")
			return false
		}
		c.mu.Lock()
		c.user = name
		c.mu.Unlock()
		c.printf("(you are now %q)\n", name)
		return false
	}
	c.mu.Lock()
	user := c.user
	bs := c.buttons[user]
	c.mu.Unlock()
	from := flows.Identity{Platform: flows.Console, ID: user}
	ev := flows.TextEvent(from, line)
	// A number picks a button of the latest message with buttons.
	if n, err := strconv.Atoi(t); err == nil && n >= 1 && n <= len(bs) {
		ev = flows.Event{From: from, Payload: bs[n-1].Data}
	}
	ev.LangHint, ev.Name = c.lang, user
	res, err := c.eng.Handle(ctx, ev)
	if err != nil && len(res.Replies) == 0 {
		c.printf("bot › (error: %v)\n", err)
	}
	c.render(user, "", res.Replies)
	return false
}

// Send implements flows.Sender: messages for another local user (or for this one, from a task) are printed with
// the recipient's name.
func (c *Chat) Send(_ context.Context, to flows.Identity, replies []flows.Reply) error {
	if to.Platform != flows.Console {
		return flows.ErrUnreachable
	}
	c.printf("\n")
	c.render(to.ID, to.ID, replies)
	c.prompt()
	return nil
}

func (c *Chat) render(user, label string, replies []flows.Reply) {
	c.mu.Lock()
	defer c.mu.Unlock()
	head := "bot › "
	if label != "" {
		head = "bot → " + label + " › "
	}
	for _, r := range replies {
		if r.Text == "" && r.File == nil && len(r.Buttons) == 0 {
			continue // keyboard removal has nothing to show in a terminal
		}
		if r.Text != "" {
			fmt.Fprintf(c.out, "%s%s\n", head, indent(r.Text))
		}
		if r.File != nil {
			fmt.Fprintf(c.out, "      📄 %s (%d bytes)\n%s\n", r.File.Name, len(r.File.Data), r.File.Data)
		}
		if len(r.Buttons) > 0 {
			var flat []flows.Button
			for _, row := range r.Buttons {
				var parts []string
				for _, b := range row {
					flat = append(flat, b)
					parts = append(parts, fmt.Sprintf("[%d] %s", len(flat), b.Label))
				}
				fmt.Fprintf(c.out, "      %s\n", strings.Join(parts, "   "))
			}
			c.buttons[user] = flat
		}
	}
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n      ") }
