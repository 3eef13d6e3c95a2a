package xapitest

import (
	"cmp"
	"crypto/rand"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Power states, as XenAPI spells them in records.
const (
	halted    = "Halted"
	paused    = "Paused"
	running   = "Running"
	suspended = "Suspended"
)

// nullRef is XenAPI's null reference.
const nullRef = "OpaqueRef:NULL"

// obj is what every stored object has: a reference, a UUID and a creation
// sequence number that orders listings.
type obj struct {
	ref, uuid string
	seq       uint64
}

func (o *obj) base() *obj { return o }

type object interface{ base() *obj }

type host struct {
	obj
	name, hostname, address string
	cpus, speedMHz          int
	memory                  int64
	metricsRef, metricsUUID string
}

type sr struct {
	obj
	name, desc  string
	size        int64
	otherConfig map[string]string
}

type vdi struct {
	obj
	name, desc, sr, typ                 string
	virtualSize                         int64
	sharable, readOnly                  bool
	otherConfig, xenstoreData, smConfig map[string]string
	isSnapshot                          bool
	snapshotOf                          string
	snapshotTime                        time.Time
	content                             *disk
}

type vbd struct {
	obj
	vm, vdi, userdevice, mode, typ string
	bootable, empty, unpluggable   bool
	attached                       bool
	otherConfig, qosParams         map[string]string
	qosType                        string
}

type vif struct {
	obj
	vm, network, device, mac string
	mtu                      int64
	attached                 bool
	otherConfig, qosParams   map[string]string
	qosType, lockingMode     string
}

type network struct {
	obj
	name, desc, bridge string
	mtu                int64
	managed            bool
	otherConfig        map[string]string
}

type pif struct {
	obj
	host, network, device, mac string
	vlan, mtu                  int64
	physical, management       bool
	vlanMasterOf               string
}

type vlan struct {
	obj
	taggedPIF, untaggedPIF string
	tag                    int64
}

type vm struct {
	obj
	name, desc, power                                  string
	template, defaultTemplate, snapshot, controlDomain bool
	snapshotOf                                         string
	snapshotTime                                       time.Time
	suspendVDI, residentOn, affinity, parent           string
	memStaticMin, memStaticMax, memDynMin, memDynMax   int64
	vcpusMax, vcpusAtStartup                           int64
	otherConfig, hvmBootParams, platform, vcpusParams  map[string]string
	hvmBootPolicy                                      string
	domid                                              int64
	// meta is the VM's configuration when the snapshot was taken (snapshots only).
	meta *vm
}

// config is a copy of v's configuration, maps included.
func (v *vm) config() *vm {
	c := *v
	c.otherConfig = maps.Clone(v.otherConfig)
	c.hvmBootParams = maps.Clone(v.hvmBootParams)
	c.platform = maps.Clone(v.platform)
	c.vcpusParams = maps.Clone(v.vcpusParams)
	c.meta = nil
	return &c
}

type session struct {
	obj
	user    string
	created time.Time
}

// state is the pool's database. Every access holds Server.mu.
type state struct {
	seq      uint64
	pool     obj
	poolName string
	master   string
	hosts    map[string]*host
	srs      map[string]*sr
	vdis     map[string]*vdi
	vbds     map[string]*vbd
	vifs     map[string]*vif
	networks map[string]*network
	pifs     map[string]*pif
	vlans    map[string]*vlan
	vms      map[string]*vm
	tasks    map[string]*task
	sessions map[string]*session
	domid    int64
	stored   int64 // bytes of VDI content kept in memory
}

func newState() *state {
	return &state{
		hosts: map[string]*host{}, srs: map[string]*sr{}, vdis: map[string]*vdi{},
		vbds: map[string]*vbd{}, vifs: map[string]*vif{}, networks: map[string]*network{},
		pifs: map[string]*pif{}, vlans: map[string]*vlan{}, vms: map[string]*vm{},
		tasks: map[string]*task{}, sessions: map[string]*session{},
	}
}

// newObj makes a fresh reference and UUID.
func (st *state) newObj() obj {
	st.seq++
	id := uuid.NewString()
	return obj{ref: "OpaqueRef:" + uuid.NewString(), uuid: id, seq: st.seq}
}

// refsOf lists the references of the objects in m that keep accepts, in
// creation order.
func refsOf[T object](m map[string]T, keep func(T) bool) []string {
	var list []T
	for _, o := range m {
		if keep == nil || keep(o) {
			list = append(list, o)
		}
	}
	slices.SortFunc(list, func(a, b T) int {
		return cmp.Compare(a.base().seq, b.base().seq)
	})
	refs := make([]string, len(list))
	for i, o := range list {
		refs[i] = o.base().ref
	}
	return refs
}

func (st *state) vbdsOf(vmRef string) []*vbd {
	var out []*vbd
	for _, ref := range refsOf(st.vbds, func(b *vbd) bool { return b.vm == vmRef }) {
		out = append(out, st.vbds[ref])
	}
	return out
}

func (st *state) vifsOf(vmRef string) []*vif {
	var out []*vif
	for _, ref := range refsOf(st.vifs, func(f *vif) bool { return f.vm == vmRef }) {
		out = append(out, st.vifs[ref])
	}
	return out
}

// live says whether v has a domain: it is running or paused.
func (v *vm) live() bool { return v.power == running || v.power == paused }

// active says whether b holds its VDI: its VM is running, paused or
// suspended ("disks remain in-use while the VM is suspended").
func (st *state) active(b *vbd) bool {
	v := st.vms[b.vm]
	return b.attached || (v != nil && v.power == suspended)
}

// allocation is the sum of the virtual sizes of the VDIs in an SR.
func (st *state) allocation(srRef string) int64 {
	var n int64
	for _, d := range st.vdis {
		if d.sr == srRef {
			n += d.virtualSize
		}
	}
	return n
}

// reserve checks that an SR can hold extra more bytes of virtual allocation.
func (st *state) reserve(srRef string, extra int64) error {
	s := st.srs[srRef]
	if want := st.allocation(srRef) + extra; want > s.size {
		return srFull(want, s.size)
	}
	return nil
}

// defaultSR is the pool's default SR: the first one.
func (st *state) defaultSR() string {
	refs := refsOf(st.srs, nil)
	if len(refs) == 0 {
		return nullRef
	}
	return refs[0]
}

// randomMAC makes a locally administered unicast MAC address.
func randomMAC() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	b[0] = b[0]&0xfe | 0x02
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5])
}

// xapiTime formats a datetime as XenAPI sends it over JSON-RPC.
func xapiTime(t time.Time) string {
	if t.IsZero() {
		return "19700101T00:00:00Z"
	}
	return t.UTC().Format("20060102T15:04:05Z")
}

// strMap copies a string map into a record value (never nil).
func strMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m)
}

// orEmpty makes nil slices encode as [].
func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
