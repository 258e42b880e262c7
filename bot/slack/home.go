package slack

import (
	"context"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/m4pris/mentorbot/flows"
)

// publishHome shows the App Home tab: the user's own status and, for coordinators, the programme in counts.
func (a *Adapter) publishHome(ctx context.Context, user string) {
	view := a.homeView(ctx, user)
	err := a.call(ctx, methodPublish, "", func(ctx context.Context) error {
		_, err := a.api.PublishViewContext(ctx, slackapi.PublishViewContextRequest{UserID: user, View: view})
		return err
	})
	if err != nil {
		a.log.Error("slack: publish app home", "err", err)
	}
}

func (a *Adapter) homeView(ctx context.Context, user string) slackapi.HomeTabViewRequest {
	p := a.profileOf(ctx, user)
	lang := flows.LangFromHint(a.userInfo(ctx, user).lang)
	if p != nil && p.Lang != "" {
		lang = p.Lang
	}
	cat := a.eng.Content()
	t := func(id string, kv ...any) string { return escape(cat.T(lang, id, kvMap(kv))) }
	section := func(text string) slackapi.Block {
		return slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, text, false, false), nil, nil)
	}
	blocks := []slackapi.Block{
		slackapi.NewHeaderBlock(slackapi.NewTextBlockObject(slackapi.PlainTextType, cat.T(lang, "slack.home_title", nil), true, false)),
		section(t("slack.home_intro")),
	}
	if p == nil || !p.Onboarded {
		blocks = append(blocks, section(t("slack.home_new", "Command", a.o.Command)))
	} else {
		loc := p.Location()
		lines := []string{"*" + t("slack.home_status") + "*"}
		if a.o.NextSession != nil {
			if when, ok := a.o.NextSession(ctx, p); ok {
				lines = append(lines, t("slack.home_session", "When", when.In(loc).Format("2006-01-02 15:04")))
			}
		}
		lines = append(lines, escape(cat.N(lang, "slack.home_lessons", len(p.Lessons.Done), nil)))
		if last := p.Checkins.Last; !last.IsZero() {
			lines = append(lines, t("slack.home_checkin", "Date", last.In(loc).Format("2006-01-02")))
		} else {
			lines = append(lines, t("slack.home_checkin_none"))
		}
		blocks = append(blocks, section(strings.Join(lines, "\n")))
		if p.Has(flows.Coordinator) {
			if counts, ok := a.roleCounts(ctx); ok {
				blocks = append(blocks, slackapi.NewDividerBlock(), section("*"+t("slack.home_programme")+"*\n"+
					t("slack.home_counts", "Mentees", counts[0], "Mentors", counts[1], "Coordinators", counts[2])))
			}
		}
	}
	menu := slackapi.NewButtonBlockElement("home.menu", flows.ActionPayload("menu"),
		slackapi.NewTextBlockObject(slackapi.PlainTextType, cat.T(lang, "slack.home_menu", nil), true, false))
	blocks = append(blocks, slackapi.NewActionBlock("home", menu),
		slackapi.NewContextBlock("", slackapi.NewTextBlockObject(slackapi.MarkdownType, t("slack.home_private"), false, false)))
	return slackapi.HomeTabViewRequest{Type: slackapi.VTHomeTab, Blocks: slackapi.Blocks{BlockSet: blocks}}
}

// profileOf reads the user's profile, following a link to the profile it was merged into.
func (a *Adapter) profileOf(ctx context.Context, user string) *flows.Profile {
	if a.o.Profiles == nil {
		return nil
	}
	pid := flows.ProfileID(identity(user))
	for range 2 {
		snap, err := a.o.Profiles.Load(ctx, pid, "")
		if err != nil {
			a.log.Error("slack: read profile", "err", err)
			return nil
		}
		if snap.LinkedTo == "" || snap.LinkedTo == pid {
			return snap.Profile
		}
		pid = snap.LinkedTo
	}
	return nil
}

// roleCounts counts the people per role: mentees, mentors, coordinators. Counts only: the home never lists people.
func (a *Adapter) roleCounts(ctx context.Context) ([3]int, bool) {
	var out [3]int
	for i, r := range []flows.Role{flows.Mentee, flows.Mentor, flows.Coordinator} {
		ids, err := a.o.Profiles.WithRole(ctx, r)
		if err != nil {
			a.log.Error("slack: app home counts", "err", err)
			return out, false
		}
		out[i] = len(ids)
	}
	return out, true
}

func kvMap(kv []any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// langOf is the language of the user's profile, or of their Slack locale.
func (a *Adapter) langOf(ctx context.Context, user string) string {
	if p := a.profileOf(ctx, user); p != nil && p.Lang != "" {
		return p.Lang
	}
	return flows.LangFromHint(a.userInfo(ctx, user).lang)
}
