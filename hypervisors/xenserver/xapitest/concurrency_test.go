package xapitest

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestConcurrentClients runs many clients at once (run with -race): every
// VM they create and destroy comes and goes whole.
func TestConcurrentClients(t *testing.T) {
	s, c := newPool(t, Options{TaskDelay: time.Millisecond})
	before := s.Counts()
	const workers, rounds = 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cc := c.with(goroutineTB{t})
			cc.session = cc.loginAs("root", "password")
			for i := 0; i < rounds; i++ {
				name := fmt.Sprintf("w%d-%d", w, i)
				task := cc.str("Async.VM.clone", cc.template(), name)
				r := cc.await(task)
				if r["status"] != "success" {
					errs <- fmt.Errorf("%s: clone %v", name, r["error_info"])
					continue
				}
				vm := resultRef(cc.t, r)
				cc.must("VM.provision", vm)
				cc.must("VM.set_is_a_template", vm, false)
				cc.must("VM.start", vm, false, false)
				cc.rec("VM", vm)
				cc.must("VM.hard_shutdown", vm)
				disks := cc.diskVDIs(vm)
				cc.must("VM.destroy", vm)
				for _, d := range disks {
					cc.must("VDI.destroy", d)
				}
				cc.must("task.destroy", task)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	after := s.Counts()
	after.Sessions -= workers
	if after != before {
		t.Errorf("counts %+v -> %+v, want unchanged", before, after)
	}
}

// goroutineTB reports a fatal failure from a goroutine other than the
// test's: it marks the test failed and ends the goroutine only.
type goroutineTB struct{ testing.TB }

func (g goroutineTB) Fatalf(format string, args ...any) {
	g.Helper()
	g.Errorf(format, args...)
	runtime.Goexit()
}
