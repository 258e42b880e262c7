package checkin

import (
	"math"
	"slices"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
)

// Answers maps an item id to the value of the option chosen. Skipped items are absent.
type Answers map[string]int

// ItemsFor returns the instrument's items the person is asked: items with an audience only go to those roles
// (the mentors' strain item).
func ItemsFor(in *content.Instrument, p *flows.Profile) []content.Item {
	roles := roleNames(p)
	var out []content.Item
	for _, it := range in.Items {
		if content.ForRoles(it.Audience, roles) {
			out = append(out, it)
		}
	}
	return out
}

func roleNames(p *flows.Profile) []string {
	out := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		out[i] = string(r)
	}
	return out
}

// ItemScore is one answered item's score, 0–100, with reverse-scored items reversed.
func ItemScore(in *content.Instrument, it content.Item, value int) (float64, bool) {
	o, ok := in.Option(it, value)
	if !ok {
		return 0, false
	}
	s := float64(o.Score)
	if it.Reverse {
		s = 100 - s
	}
	return s, true
}

// Score is the instrument's score of the answers to items: the mean of the answered items' scores. ok is false
// when fewer items were answered than the instrument's min_answered (the published CBI rule: no score with fewer
// than four of seven answered).
func Score(in *content.Instrument, items []content.Item, a Answers) (score float64, answered int, ok bool) {
	sum := 0.0
	for _, it := range items {
		v, given := a[it.ID]
		if !given {
			continue
		}
		s, valid := ItemScore(in, it, v)
		if !valid {
			continue
		}
		sum += s
		answered++
	}
	if answered == 0 || answered < in.Scoring.MinAnswered {
		return 0, answered, false
	}
	return round1(sum / float64(answered)), answered, true
}

// round1 keeps one decimal: enough for every mean of 25-point steps, and what the history stores.
func round1(x float64) float64 { return math.Round(x*10) / 10 }

// Worrying applies the instrument's alert rules to a result. prev are the person's earlier scores on the same
// instrument, oldest first (empty without the keep-scores consent, which is why the rules that compare with
// earlier check-ins need it).
func Worrying(in *content.Instrument, items []content.Item, a Answers, score float64, prev []float64) bool {
	for _, r := range in.Alerts {
		switch r.Rule {
		case content.RuleThresholdConsecutive:
			if score < float64(r.At) || len(prev) < r.Times-1 {
				continue
			}
			if !slices.ContainsFunc(prev[len(prev)-(r.Times-1):], func(s float64) bool { return s < float64(r.At) }) {
				return true
			}
		case content.RuleChange:
			if len(prev) > 0 && score-prev[len(prev)-1] >= float64(r.Points) && score >= float64(r.At) {
				return true
			}
		case content.RuleItemsAll:
			if itemsAll(in, items, a, r.Items) {
				return true
			}
		}
	}
	return false
}

// itemsAll reports whether every listed item was answered at least as badly (by score) as the listed option.
func itemsAll(in *content.Instrument, items []content.Item, a Answers, want map[string]int) bool {
	for id, wantValue := range want {
		i := slices.IndexFunc(items, func(it content.Item) bool { return it.ID == id })
		if i < 0 {
			return false
		}
		v, given := a[id]
		if !given {
			return false
		}
		got, ok1 := ItemScore(in, items[i], v)
		limit, ok2 := ItemScore(in, items[i], wantValue)
		if !ok1 || !ok2 || got < limit {
			return false
		}
	}
	return true
}
