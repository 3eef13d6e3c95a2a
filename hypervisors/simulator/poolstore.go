package simulator

import (
	"fmt"
	"path/filepath"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// poolStore is one storage pool, shared by every simulated host of a state
// dir as shared primary storage is: a journal in <state dir>/pools/<pool ID>/
// with one record volume/<id> (a volumeRecord) per volume. A pool comes
// into being when it is first used.
type poolStore struct {
	id      string
	journal *journal
}

func volumeKey(id string) string { return "volume/" + id }

// openPoolStore opens pool id of stateDir, which must be absolute.
func openPoolStore(stateDir, id string) (*poolStore, error) {
	if err := checkName("storage pool ID", id); err != nil {
		return nil, err
	}
	j, err := openJournal(filepath.Join(stateDir, "pools", id))
	if err != nil {
		return nil, err
	}
	return &poolStore{id: id, journal: j}, nil
}

// update runs fn on the pool's state under its lock.
func (p *poolStore) update(fn func(poolTxn) error) error {
	return p.journal.update(func(t *txn) error { return fn(poolTxn{t, p}) })
}

// poolTxn reads and changes a pool's state under its lock.
type poolTxn struct {
	*txn
	p *poolStore
}

func (t poolTxn) hasVolume(id string) bool { return t.has(volumeKey(id)) }

// loadVolume reads volume id; ErrNotFound when it does not exist.
func (t poolTxn) loadVolume(id string) (volumeRecord, error) {
	var v volumeRecord
	found, err := t.get(volumeKey(id), &v)
	if err == nil && !found {
		err = t.p.volumeNotFound(id)
	}
	return v, err
}

func (p *poolStore) volumeNotFound(id string) error {
	return fmt.Errorf("%w: volume %s on simulator storage pool %s", hypervisors.ErrNotFound, id, p.id)
}

func (t poolTxn) saveVolume(v *volumeRecord) error { return t.put(volumeKey(v.ID), v) }

// removeVolume deletes volume id; a missing one is not an error.
func (t poolTxn) removeVolume(id string) error {
	_, err := t.remove(volumeKey(id))
	return err
}

// listVolumes reads every volume of the pool, ordered by ID.
func (t poolTxn) listVolumes() ([]hypervisors.VolumeInfo, error) {
	vols, err := list[volumeRecord](t.txn, volumeKey(""))
	infos := make([]hypervisors.VolumeInfo, len(vols))
	for i, v := range vols {
		infos[i] = v.VolumeInfo
	}
	return infos, err
}
