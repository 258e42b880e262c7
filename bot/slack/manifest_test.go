package slack

import (
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestManifests holds the app manifests to what the adapter uses: the scopes of the Web API methods it calls, the
// events it reads, the slash command, interactivity, and in HTTP mode the paths Routes serves.
func TestManifests(t *testing.T) {
	type manifest struct {
		Features struct {
			AppHome struct {
				Home     bool `yaml:"home_tab_enabled"`
				Messages bool `yaml:"messages_tab_enabled"`
			} `yaml:"app_home"`
			Slash []struct {
				Command string `yaml:"command"`
				URL     string `yaml:"url"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				URL    string   `yaml:"request_url"`
				Events []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled bool   `yaml:"is_enabled"`
				URL     string `yaml:"request_url"`
			} `yaml:"interactivity"`
			SocketMode bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	for file, socket := range map[string]bool{"manifest.yaml": true, "manifest-http.yaml": false} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var m manifest
		if err := yaml.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, s := range []string{"chat:write", "commands", "files:write", "im:history", "im:write", "users:read"} {
			if !slices.Contains(m.OAuth.Scopes.Bot, s) {
				t.Errorf("%s lacks scope %s", file, s)
			}
		}
		for _, ev := range []string{"message.im", "app_home_opened"} {
			if !slices.Contains(m.Settings.Events.Events, ev) {
				t.Errorf("%s lacks event %s", file, ev)
			}
		}
		if len(m.Features.Slash) != 1 || m.Features.Slash[0].Command != "/mentor" {
			t.Errorf("%s: slash commands %+v", file, m.Features.Slash)
		}
		if !m.Settings.Interactivity.Enabled || !m.Features.AppHome.Home || !m.Features.AppHome.Messages {
			t.Errorf("%s: interactivity, home tab and messages tab must be on", file)
		}
		if m.Settings.SocketMode != socket {
			t.Errorf("%s: socket_mode_enabled %v", file, m.Settings.SocketMode)
		}
		if !socket {
			for url, path := range map[string]string{m.Settings.Events.URL: PathEvents,
				m.Settings.Interactivity.URL: PathInteraction, m.Features.Slash[0].URL: PathCommands} {
				if !strings.HasSuffix(url, path) {
					t.Errorf("%s: request URL %q does not end in %s", file, url, path)
				}
			}
		}
	}
}
