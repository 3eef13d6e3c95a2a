package simulator

import (
	"fmt"
	"maps"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// Capacity of a simulated host whose URL does not set it.
const (
	defaultCPUs      = 16
	defaultCPUMHz    = 2400
	defaultMemoryMiB = 64 * 1024
)

// config is a parsed host URL.
type config struct {
	hostname  string
	cpus      int
	cpuMHz    int
	memoryMiB int64
	hotResize bool
	delay     time.Duration        // every operation
	opDelays  map[Op]time.Duration // overrides delay
	faults    []faultRecord
}

// allowedParams describes the query parameters for error messages.
const allowedParams = "cpus, cpu_mhz, memory_mib, hot_resize, delay, delay.<Op>, fail.<Op>, crash.<Op>, crash_after.<Op>"

// parseURL parses simulator://<hostname>?<parameters>; every error wraps
// hypervisors.ErrInvalid and names the culprit.
func parseURL(raw string) (config, error) {
	bad := func(format string, args ...any) (config, error) {
		return config{}, fmt.Errorf("%w: simulator URL %q: "+format, append([]any{hypervisors.ErrInvalid, raw}, args...)...)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return bad("%v", err)
	case u.Scheme != Name:
		return bad("scheme must be %q", Name)
	case u.Opaque != "" || u.Host == "":
		return bad("want simulator://<hostname>")
	case u.User != nil:
		return bad("user information is not allowed")
	case u.Port() != "":
		return bad("a port is not allowed")
	case u.Path != "" && u.Path != "/":
		return bad("a path is not allowed")
	case u.Fragment != "":
		return bad("a fragment is not allowed")
	}
	if err := checkName("hostname", u.Hostname()); err != nil {
		return bad("%v", err)
	}
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return bad("query: %v", err)
	}
	c := config{hostname: u.Hostname(), cpus: defaultCPUs, cpuMHz: defaultCPUMHz, memoryMiB: defaultMemoryMiB}
	for _, key := range slices.Sorted(maps.Keys(query)) {
		values := query[key]
		if len(values) > 1 {
			return bad("parameter %q is given %d times", key, len(values))
		}
		if err := c.set(key, values[0]); err != nil {
			return bad("parameter %q: %v", key, err)
		}
	}
	return c, nil
}

// set applies one query parameter.
func (c *config) set(key, value string) error {
	var err error
	switch name, op, hasOp := strings.Cut(key, "."); {
	case key == "cpus":
		c.cpus, err = parseInt[int](value, 1, 4096)
	case key == "cpu_mhz":
		c.cpuMHz, err = parseInt[int](value, 1, 1_000_000)
	case key == "memory_mib":
		c.memoryMiB, err = parseInt[int64](value, 1, 1<<32)
	case key == "hot_resize":
		c.hotResize, err = strconv.ParseBool(value)
		if err != nil {
			err = fmt.Errorf("want true or false, got %q", value)
		}
	case key == "delay":
		c.delay, err = parseDelay(value)
	case !hasOp || !slices.Contains([]string{"delay", "fail", "crash", "crash_after"}, name):
		err = fmt.Errorf("unknown parameter (allowed: %s)", allowedParams)
	case !Op(op).valid():
		err = fmt.Errorf("unknown operation %q (operations: %s)", op, opNames())
	case name == "delay":
		var d time.Duration
		d, err = parseDelay(value)
		if c.opDelays == nil {
			c.opDelays = map[Op]time.Duration{}
		}
		c.opDelays[Op(op)] = d
	default:
		var f faultRecord
		f, err = parseFault(name, Op(op), value)
		c.faults = append(c.faults, f)
	}
	return err
}

// parseFault parses the value of fail.<Op> (N or N:<error>), crash.<Op> (N)
// or crash_after.<Op> (N).
func parseFault(kind string, op Op, value string) (faultRecord, error) {
	f := faultRecord{Op: op, Action: ActionCrash, After: kind == "crash_after"}
	nth := value
	if kind == "fail" {
		f.Action, f.Err = ActionFail, defaultFailure
		var name string
		var named bool
		if nth, name, named = strings.Cut(value, ":"); named {
			if _, ok := sentinelByName(name); !ok {
				return f, fmt.Errorf("want N or N:<error> with <error> one of %s, got %q", sentinelNames(), value)
			}
			f.Err = name
		}
	}
	var err error
	f.Nth, err = parseInt[int](nth, 1, 1<<30)
	return f, err
}

// parseInt parses a decimal integer in [lo, hi].
func parseInt[T int | int64](s string, lo, hi T) (T, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || T(n) < lo || T(n) > hi {
		return 0, fmt.Errorf("want an integer from %d to %d, got %q", lo, hi, s)
	}
	return T(n), nil
}

// parseDelay parses a non-negative Go duration such as 10ms.
func parseDelay(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("want a duration of 0 or more such as 10ms or 1.5s, got %q", s)
	}
	return d, nil
}

// delayOf is how long a call of op waits before it reaches the host:
// a Controller's delay for op, else the URL's delay.<op>, else its delay.
func (c *config) delayOf(st hostState, op Op) time.Duration {
	if d, ok := st.Delays[op]; ok {
		return d
	}
	if d, ok := c.opDelays[op]; ok {
		return d
	}
	return c.delay
}

// resolveStateDir returns dir, else $CLOUDCORE_SIMULATOR_DIR.
func resolveStateDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	if dir := os.Getenv(EnvStateDir); dir != "" {
		return dir, nil
	}
	return "", fmt.Errorf("%w: the simulator needs a state directory: set HostConfig.StateDir or the environment variable %s", hypervisors.ErrInvalid, EnvStateDir)
}
