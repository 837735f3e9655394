// The one error family of Anvil: each class carries Ironic's exception name as `code` and the HTTP status
// Ironic answers with, so api/error-body.ts can render any of them without a lookup table.

export abstract class AppError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  /** Extra response headers (e.g. min/max versions on 406). */
  headers?: Record<string, string>;
}

function errorClass(code: string, status: number) {
  return class extends AppError {
    readonly code = code;
    readonly status = status;
  };
}

export class InvalidParameterValueError extends errorClass('InvalidParameterValue', 400) {}
export class InvalidError extends errorClass('Invalid', 400) {}
export class PatchError extends errorClass('PatchError', 400) {}
export class MissingParameterValueError extends errorClass('MissingParameterValue', 400) {}
export class InvalidStateRequestedError extends errorClass('InvalidStateRequested', 400) {}
export class PortgroupNotEmptyError extends errorClass('PortgroupNotEmpty', 400) {}
export class ChassisNotEmptyError extends errorClass('ChassisNotEmpty', 400) {}
export class InvalidSwitchIDError extends errorClass('InvalidSwitchID', 400) {}
// Ironic answers 400, not 404, when the missing object is named inside a request body (a port's node_uuid or
// portgroup_uuid): the resource in the URL exists, the request is what is wrong.
export class NodeReferenceNotFoundError extends errorClass('NodeNotFound', 400) {}
export class PortgroupReferenceNotFoundError extends errorClass('PortgroupNotFound', 400) {}
/** No or wrong credentials (http_basic); carries `WWW-Authenticate`. */
export class UnauthorizedError extends errorClass('Unauthorized', 401) {}
export class NotAuthorizedError extends errorClass('NotAuthorized', 403) {}
export class NodeProtectedError extends errorClass('NodeProtected', 403) {}
export class NotFoundError extends errorClass('NotFound', 404) {}
export class NodeNotFoundError extends errorClass('NodeNotFound', 404) {}
export class PortNotFoundError extends errorClass('PortNotFound', 404) {}
export class PortgroupNotFoundError extends errorClass('PortgroupNotFound', 404) {}
export class ChassisNotFoundError extends errorClass('ChassisNotFound', 404) {}
export class DriverNotFoundError extends errorClass('DriverNotFound', 404) {}
export class ConductorNotFoundError extends errorClass('ConductorNotFound', 404) {}
export class MethodNotAllowedError extends errorClass('MethodNotAllowed', 405) {}
export class NotAcceptableError extends errorClass('NotAcceptable', 406) {}
export class ConflictError extends errorClass('Conflict', 409) {}
/** A record changed between the read and the conditional write of a read-modify-write (row version moved). */
export class VersionConflictError extends ConflictError {}
export class InvalidStateError extends errorClass('InvalidState', 409) {}
export class NodeLockedError extends errorClass('NodeLocked', 409) {}
export class DuplicateNameError extends errorClass('DuplicateName', 409) {}
export class NodeAlreadyExistsError extends errorClass('NodeAlreadyExists', 409) {}
export class MACAlreadyExistsError extends errorClass('MACAlreadyExists', 409) {}
export class PortAlreadyExistsError extends errorClass('PortAlreadyExists', 409) {}
export class PortDuplicateNameError extends errorClass('PortDuplicateName', 409) {}
export class PortgroupAlreadyExistsError extends errorClass('PortgroupAlreadyExists', 409) {}
export class PortgroupDuplicateNameError extends errorClass('PortgroupDuplicateName', 409) {}
export class PortgroupMACAlreadyExistsError extends errorClass('PortgroupMACAlreadyExists', 409) {}
export class ChassisAlreadyExistsError extends errorClass('ChassisAlreadyExists', 409) {}
export class NodeAssociatedError extends errorClass('NodeAssociated', 409) {}
export class InstanceAssociatedError extends errorClass('InstanceAssociated', 409) {}
export class PayloadTooLargeError extends errorClass('PayloadTooLarge', 413) {}
export class UriTooLongError extends errorClass('RequestURITooLong', 414) {}
export class UnsupportedMediaTypeError extends errorClass('UnsupportedMediaType', 415) {}
/** A client over its request budget (the ramdisk endpoints' per-address limit); carries `Retry-After`. */
export class TooManyRequestsError extends errorClass('TooManyRequests', 429) {}
export class TemporaryFailureError extends errorClass('TemporaryFailure', 503) {}
/** A BMC could not be reached or refused a command; the message must never hold credentials. */
export class PowerError extends errorClass('PowerStateFailure', 500) {}
export class ManagementError extends errorClass('ManagementFailure', 500) {}
export class UnsupportedDriverExtensionError extends errorClass('UnsupportedDriverExtension', 400) {}
export class AllocationNotFoundError extends errorClass('AllocationNotFound', 404) {}
export class AllocationDuplicateNameError extends errorClass('AllocationDuplicateName', 409) {}
export class AllocationAlreadyExistsError extends errorClass('AllocationAlreadyExists', 409) {}
// Ironic gives this no HTTP code of its own, so a failed backfill reaches the client as a 500.
export class AllocationFailedError extends errorClass('AllocationFailed', 500) {}
export class DeployTemplateNotFoundError extends errorClass('DeployTemplateNotFound', 404) {}
export class DeployTemplateDuplicateNameError extends errorClass('DeployTemplateDuplicateName', 409) {}
export class DeployTemplateAlreadyExistsError extends errorClass('DeployTemplateAlreadyExists', 409) {}
export class InvalidDeployTemplateError extends errorClass('InvalidDeployTemplate', 400) {}
export class VolumeConnectorNotFoundError extends errorClass('VolumeConnectorNotFound', 404) {}
export class VolumeConnectorAlreadyExistsError extends errorClass('VolumeConnectorAlreadyExists', 409) {}
export class VolumeConnectorTypeAndIdAlreadyExistsError extends errorClass('VolumeConnectorTypeAndIdAlreadyExists', 409) {}
export class VolumeTargetNotFoundError extends errorClass('VolumeTargetNotFound', 404) {}
export class VolumeTargetAlreadyExistsError extends errorClass('VolumeTargetAlreadyExists', 409) {}
export class VolumeTargetBootIndexAlreadyExistsError extends errorClass('VolumeTargetBootIndexAlreadyExists', 409) {}
// An image whose content is unsafe or not what it claims (backing file, disguised format, oversized); the
// request (its instance_info) is what is wrong, hence 400 where Ironic leaves its default.
export class ImageUnacceptableError extends errorClass('ImageUnacceptable', 400) {}
export class ImageConvertFailedError extends errorClass('ImageConvertFailed', 500) {}
// An image could not be fetched from its origin (after the retries transient failures get).
export class ImageDownloadFailedError extends errorClass('ImageDownloadFailed', 500) {}
// The serial console could not be started or stopped (Ironic's ConsoleError).
export class ConsoleError extends errorClass('ConsoleError', 500) {}
// Network boot could not be set up (a loader binary missing, boot files not writable); Ironic's name.
export class PxeBootFailureError extends errorClass('PXEBootFailure', 500) {}
