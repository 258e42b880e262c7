package slack

import (
	"context"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/m4pris/mentorbot/flows"
)

// userInfo is what users.info tells about a user that a new profile starts with.
type userInfo struct {
	lang, name string
}

// process handles one acknowledged update through the engine and delivers the replies. The update was already
// acknowledged, so Slack will not redeliver it when the store is down: the engine is asked again after
// RetryWaits, and only then does the user get the engine's kind "try again".
func (a *Adapter) process(ctx context.Context, in inbound) {
	info := a.userInfo(ctx, in.user)
	in.ev.LangHint, in.ev.Name = info.lang, info.name
	var (
		res flows.Result
		err error
	)
	for attempt := 0; ; attempt++ {
		res, err = a.eng.Handle(ctx, in.ev)
		if err == nil || attempt >= len(a.o.RetryWaits) {
			break
		}
		a.log.Warn("slack update not handled yet, will retry", "attempt", attempt+1, "err", err)
		if sleep(ctx, a.o.RetryWaits[attempt]) != nil {
			break
		}
	}
	if err != nil {
		a.log.Error("slack update not handled", "err", err)
	}
	if res.Duplicate {
		return
	}
	a.deliver(ctx, in.user, in.to, res.Replies)
}

// userInfoWait bounds how long an update waits for users.info (schedule and retries included): the answer only
// helps a new profile start in the right language, and the onboarding asks for the language anyway.
const userInfoWait = 3 * time.Second

// userInfo asks users.info for the user's locale and first name, once per user and userInfoTTL (a burst of events
// from one person costs one call).
func (a *Adapter) userInfo(ctx context.Context, user string) userInfo {
	if u, ok := a.users.get(user); ok {
		return u
	}
	ctx, cancel := context.WithTimeout(ctx, userInfoWait)
	defer cancel()
	var u *slackapi.User
	err := a.call(ctx, methodUserInfo, "", func(ctx context.Context) error {
		var err error
		u, err = a.api.GetUserInfoContext(ctx, user)
		return err
	})
	if err != nil {
		// Remembered as unknown for a while: a missing scope or an outage must not slow every update down.
		a.log.Warn("slack users.info", "err", err)
		a.users.putFor(user, userInfo{}, userInfoFailTTL)
		return userInfo{}
	}
	info := userInfo{lang: u.Locale, name: u.Profile.FirstName}
	if info.name == "" {
		info.name = u.RealName
	}
	a.users.put(user, info)
	return info
}
