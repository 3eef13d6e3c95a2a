package simulator_test

import (
	"testing"

	"github.com/google/uuid"
)

// BenchmarkCreateStartVM measures CreateVM followed by StartVM of a VM with
// one disk and one NIC, on a host that keeps every VM created so far.
func BenchmarkCreateStartVM(b *testing.B) {
	h := connect(b, b.TempDir(), "h1", "")
	fx := newFixture(b, h)
	spec := fx.vm
	for b.Loop() {
		spec.ID = uuid.NewString()
		if _, err := h.CreateVM(b.Context(), spec); err != nil {
			b.Fatal(err)
		}
		if err := h.StartVM(b.Context(), spec.ID); err != nil {
			b.Fatal(err)
		}
	}
}
