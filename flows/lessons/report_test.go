package lessons_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/lessons"
)

// TestReportSuppressesSmallGroups: completions under 5 show "<5" only; ratings, average and comments appear only
// from 5 ratings on; free text cannot become a spreadsheet formula.
func TestReportSuppressesSmallGroups(t *testing.T) {
	lib := content.MustDefaultLibrary()
	all := lib.LessonsOf("A")[:4]
	stats := map[string]lessons.Stats{
		all[0].ID: {Completions: 4, Ratings: [5]int{0, 0, 0, 2, 2}, Comments: []string{"Mette from B wing liked it"}},
		all[1].ID: {Completions: 7, Ratings: [5]int{0, 1, 1, 1, 1}, Comments: []string{"too short"}},
		all[2].ID: {Completions: 9, Ratings: [5]int{1, 0, 0, 2, 3}, Comments: []string{"=HYPERLINK(\"x\")", "More\nnight shifts"}},
	}
	data, err := lessons.ReportCSV(all, stats, "da")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"lesson_id", "module", "title", "completions", "rated_1", "rated_2", "rated_3", "rated_4", "rated_5", "ratings", "average", "comments"},
		{all[0].ID, "A", all[0].Da.Title, "<5", "", "", "", "", "", "", "", ""},
		{all[1].ID, "A", all[1].Da.Title, "7", "", "", "", "", "", "<5", "", ""},
		{all[2].ID, "A", all[2].Da.Title, "9", "1", "0", "0", "2", "3", "6", "4.00", `'=HYPERLINK("x") | More night shifts`},
		{all[3].ID, "A", all[3].Da.Title, "<5", "", "", "", "", "", "", "", ""},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Fatalf("report (-want +got):\n%s", diff)
	}
	if strings.Contains(string(data), "Mette") {
		t.Fatal("a suppressed comment leaked")
	}
}

// TestLessonReportCommand: coordinators get the CSV file; others are refused.
func TestLessonReportCommand(t *testing.T) {
	fb := newFeedback()
	h := newHarness(t, nil, fb, nil)
	seed(t, h, "coord", "en", flows.Coordinator)
	seed(t, h, "mentor", "en", flows.Mentor)
	for range 5 {
		_ = fb.Completed(t.Context(), a1)
		_ = fb.Rated(t.Context(), a1, 4)
	}
	contains(t, h.Say("mentor", "/lessonreport"), "only for coordinators")
	r := h.Say("coord", "/lessonreport")
	contains(t, r, "Counts under 5 are hidden")
	var file *flows.File
	for _, x := range r {
		if x.File != nil {
			file = x.File
		}
	}
	if file == nil || file.Type != "text/csv" || file.Name != "lesson-feedback-2026-12-01.csv" {
		t.Fatalf("no CSV file: %+v", file)
	}
	if !strings.Contains(string(file.Data), a1+",A,The three conversations inside a hard talk,5,0,0,0,5,0,5,4.00,") {
		t.Fatalf("report:\n%s", file.Data)
	}
	if n := strings.Count(string(file.Data), "\n"); n != 1+len(content.MustDefaultLibrary().All()) {
		t.Fatalf("report has %d lines, want a header and one per lesson", n)
	}
	// The coordinators' /lessons list offers the report too.
	contains(t, h.Say("coord", "/lessons"), "📚 Lessons")
	if r := h.Press("coord", "📊 Report"); len(r) == 0 || r[len(r)-1].File == nil {
		t.Fatalf("the report button sent no file: %+v", r)
	}

	h2 := newHarness(t, nil, nil, nil)
	seed(t, h2, "coord", "en", flows.Coordinator)
	contains(t, h2.Say("coord", "/lessonreport"), "isn't available right now")
}
