package checkin_test

import (
	"testing"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/checkin"
)

// TestAlertAudiences: only the alert to the coordinators may go to their shared channel; the answers to the person
// who asked (taken, nobody took it) are theirs.
func TestAlertAudiences(t *testing.T) {
	eng := flows.New(flows.Options{})
	eng.Add(checkin.New(checkin.Deps{}).Feature())
	for job, want := range map[flows.Job]flows.Audience{
		checkin.JobRaise:    flows.ToCoordinators,
		checkin.JobAcked:    flows.ToPerson,
		checkin.JobEscalate: flows.ToPerson,
		checkin.JobMentor:   flows.ToPerson,
		"no.such.job":       flows.ToPerson,
	} {
		if got := eng.Audience(job); got != want {
			t.Errorf("%s: audience %v, want %v", job, got, want)
		}
	}
}
