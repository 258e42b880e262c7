package detect_test

import (
	"fmt"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/content/detect"
)

// The safety path reads every free text with the profile's language and answers by outcome. Rule and Kind are
// for tests and tools; a log line may carry the outcome, never the text.
func ExampleDetector_Classify() {
	det := content.MustDetector()
	for _, m := range []struct{ lang, text string }{
		{"da", "jeg vil bare do"},
		{"en", "everyone would be better off without me"},
		{"en", "an inmate said he'd kill himself"},
		{"ro", "mă omoară tura asta"},
	} {
		switch r := det.Classify(m.lang, m.text); r.Outcome {
		case detect.Crisis:
			fmt.Println("crisis reply at once:", r.Rule)
		case detect.Concern:
			fmt.Println("ask directly:", r.Rule)
		case detect.Other:
			fmt.Println("acknowledge:", r.Kind)
		default:
			fmt.Println("nothing to answer")
		}
	}
	// Output:
	// crisis reply at once: want-death
	// ask directly: burden
	// acknowledge: incident
	// nothing to answer
}
