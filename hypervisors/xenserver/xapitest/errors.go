package xapitest

import (
	"strconv"
	"strings"
)

// XenAPI error codes the server returns, with their documented parameters.
const (
	errSessionAuthenticationFailed = "SESSION_AUTHENTICATION_FAILED" // [user, message]
	errSessionInvalid              = "SESSION_INVALID"               // [handle]
	errHostIsSlave                 = "HOST_IS_SLAVE"                 // [master address]
	errMethodUnknown               = "MESSAGE_METHOD_UNKNOWN"        // [method]
	errParameterCountMismatch      = "MESSAGE_PARAMETER_COUNT_MISMATCH"
	errHandleInvalid               = "HANDLE_INVALID"   // [class, handle]
	errUUIDInvalid                 = "UUID_INVALID"     // [class, uuid]
	errFieldTypeError              = "FIELD_TYPE_ERROR" // [field]
	errInvalidValue                = "INVALID_VALUE"    // [field, value]
	errInternal                    = "INTERNAL_ERROR"   // [message]
	errOperationNotAllowed         = "OPERATION_NOT_ALLOWED"
	errMapDuplicateKey             = "MAP_DUPLICATE_KEY" // [class, field, ref, key]
	errVMBadPowerState             = "VM_BAD_POWER_STATE"
	errVMIsTemplate                = "VM_IS_TEMPLATE" // [vm, operation]
	errVMIsSnapshot                = "VM_IS_SNAPSHOT" // [vm, operation]
	errOnlyProvisionTemplate       = "ONLY_PROVISION_TEMPLATE"
	errOnlyRevertSnapshot          = "ONLY_REVERT_SNAPSHOT"
	errMemoryConstraintOrder       = "MEMORY_CONSTRAINT_VIOLATION_ORDER"
	errHostNotEnoughFreeMemory     = "HOST_NOT_ENOUGH_FREE_MEMORY" // [needed, available]
	errHostNotEnoughPCPUs          = "HOST_NOT_ENOUGH_PCPUS"       // [vcpus, pcpus]
	errHostOffline                 = "HOST_OFFLINE"                // [host]
	errNoHostsAvailable            = "NO_HOSTS_AVAILABLE"
	errVMRequiresNet               = "VM_REQUIRES_NET" // [vm, network]
	errSRFull                      = "SR_FULL"         // [requested, maximum]
	errSRBackendFailure79          = "SR_BACKEND_FAILURE_79"
	errVDIInUse                    = "VDI_IN_USE"    // [vdi, operation] or [vdi]
	errVDITooSmall                 = "VDI_TOO_SMALL" // [vdi, minimum size]
	errDeviceAlreadyExists         = "DEVICE_ALREADY_EXISTS"
	errDeviceAlreadyAttached       = "DEVICE_ALREADY_ATTACHED"
	errDeviceAlreadyDetached       = "DEVICE_ALREADY_DETACHED"
	errInvalidDevice               = "INVALID_DEVICE"
	errVBDCDsMustBeReadonly        = "VBD_CDS_MUST_BE_READONLY"
	errVBDNotRemovableMedia        = "VBD_NOT_REMOVABLE_MEDIA"
	errVDIReadonly                 = "VDI_READONLY"
	errMACInvalid                  = "MAC_INVALID"
	errNetworkContainsVIF          = "NETWORK_CONTAINS_VIF" // [vifs...]
	errNetworkContainsPIF          = "NETWORK_CONTAINS_PIF" // [pifs...]
	errNetworkAlreadyConnected     = "NETWORK_ALREADY_CONNECTED"
	errBridgeNameExists            = "BRIDGE_NAME_EXISTS"
	errPIFIsVLAN                   = "PIF_IS_VLAN"
	errPIFVLANExists               = "PIF_VLAN_EXISTS"
	errVLANTagInvalid              = "VLAN_TAG_INVALID"
	errTaskCancelled               = "TASK_CANCELLED"
	errVMRevertFailed              = "VM_REVERT_FAILED"
)

// apiError is a XenAPI failure: an error code and its parameters.
type apiError struct {
	code   string
	params []string
}

func (e *apiError) Error() string {
	if len(e.params) == 0 {
		return e.code
	}
	return e.code + "(" + strings.Join(e.params, ", ") + ")"
}

// info is the error as a task's error_info: the code, then the parameters.
func (e *apiError) info() []string {
	return append([]string{e.code}, e.params...)
}

func xerr(code string, params ...string) *apiError {
	if params == nil {
		params = []string{}
	}
	return &apiError{code: code, params: params}
}

func handleInvalid(class, ref string) *apiError { return xerr(errHandleInvalid, class, ref) }

func fieldTypeError(field string) *apiError { return xerr(errFieldTypeError, field) }

func invalidValue(field, value string) *apiError { return xerr(errInvalidValue, field, value) }

func srFull(requested, maximum int64) *apiError {
	return xerr(errSRFull, itoa(requested), itoa(maximum))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// asAPIError turns any error into a XenAPI failure; errors that are not
// already one become INTERNAL_ERROR.
func asAPIError(err error) *apiError {
	if e, ok := err.(*apiError); ok {
		return e
	}
	return xerr(errInternal, err.Error())
}
