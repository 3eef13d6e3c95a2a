package kvm

// freer is a libvirt object, which holds a reference until it is freed.
type freer interface{ Free() error }

// free drops obj's reference; deferred after every lookup. Its error says
// only that obj was freed already.
func free(obj freer) { _ = obj.Free() }

// freeAll frees the libvirt objects of a list call.
func freeAll[T any, P interface {
	*T
	freer
}](objs []T) {
	for i := range objs {
		free(P(&objs[i]))
	}
}
