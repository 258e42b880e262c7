package telegram

import (
	"context"
	"slices"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/m4pris/mentorbot/content"
)

// MenuCommands are the commands offered in Telegram's command menu, in this order, when the engine has them and
// the content has a description for them ("telegram.command.<name>"). Coordinator commands stay out: the menu is
// the same for everyone.
var MenuCommands = []string{
	"menu", "checkin", "lessons", "mentor", "sessions", "settings", "privacy", "export", "forget", "help", "cancel", "start",
}

// Commands returns the command menu for lang: the engine's registered commands (and the built-in /cancel) that
// have a description in lang.
func Commands(cat *content.Catalog, registered []string, lang string) []models.BotCommand {
	var out []models.BotCommand
	for _, name := range MenuCommands {
		if name != "cancel" && !slices.Contains(registered, name) {
			continue
		}
		id := "telegram.command." + name
		if !cat.Has(lang, id) {
			continue
		}
		out = append(out, models.BotCommand{Command: name, Description: cat.T(lang, id, nil)})
	}
	return out
}

// setProfile sets the command menu and the descriptions in every language. English is also the default for
// users whose app is in another language. Failures are logged: the bot works without them.
func (a *Adapter) setProfile(ctx context.Context) {
	cat := a.eng.Content()
	registered := a.eng.Commands()
	for _, lang := range content.Languages {
		code := lang
		if lang == "en" {
			code = "" // the default for every language without its own list
		}
		cmds := Commands(cat, registered, lang)
		calls := []struct {
			method string
			f      func(context.Context) error
		}{
			{"setMyCommands", func(ctx context.Context) error {
				_, err := a.api.SetMyCommands(ctx, &bot.SetMyCommandsParams{
					Commands: cmds, Scope: &models.BotCommandScopeDefault{}, LanguageCode: code,
				})
				return err
			}},
			{"setMyDescription", func(ctx context.Context) error {
				_, err := a.api.SetMyDescription(ctx, &bot.SetMyDescriptionParams{
					Description: cat.T(lang, "telegram.description", nil), LanguageCode: code,
				})
				return err
			}},
			{"setMyShortDescription", func(ctx context.Context) error {
				_, err := a.api.SetMyShortDescription(ctx, &bot.SetMyShortDescriptionParams{
					ShortDescription: cat.T(lang, "telegram.short_description", nil), LanguageCode: code,
				})
				return err
			}},
		}
		for _, c := range calls {
			if err := a.call(ctx, nil, false, c.method, c.f); err != nil {
				if ctx.Err() != nil {
					return
				}
				a.log.Warn("telegram bot profile", "method", c.method, "lang", lang, "err", err)
			}
		}
	}
}
