// The agent's error family, shaped like IPA's RESTError: each error serialises as {type, code, message,
// details} inside `command_error`, and `code` is the HTTP status the command API answers with when the error
// is raised by the request itself (bad command, bad params, busy) rather than recorded in a result.

export class AgentError extends Error {
  /** IPA's class name, e.g. `ImageChecksumError`; the conductor shows it in last_error. */
  readonly type: string;
  readonly code: number;
  readonly details: string;
  /** IPA's `message`: the short class text; Error.message holds "summary: details" like IPA's str(). */
  readonly summary: string;

  constructor(type: string, code: number, summary: string, details: string) {
    super(`${summary}: ${details}`);
    this.type = type;
    this.code = code;
    this.summary = summary;
    this.details = details;
  }

  serialize(): { type: string; code: number; message: string; details: string } {
    return { type: this.type, code: this.code, message: this.summary, details: this.details };
  }
}

function kind(type: string, code: number, message: string) {
  return class extends AgentError {
    constructor(details: string) {
      super(type, code, message, details);
    }
  };
}

/** 400: the request body or the command's parameters are wrong (IPA InvalidContentError and subclasses). */
export class InvalidContentError extends kind('InvalidContentError', 400, 'Invalid request body') {}
export class InvalidCommandError extends AgentError {
  constructor(details: string) {
    super('InvalidCommandError', 400, 'Invalid command', details);
  }
}
export class InvalidCommandParamsError extends AgentError {
  constructor(details: string) {
    super('InvalidCommandParamsError', 400, 'Invalid command parameters', details);
  }
}
/** True for the errors IPA raises to the HTTP caller instead of recording a failed result. */
export function isInvalidContent(err: unknown): err is AgentError {
  return err instanceof InvalidContentError || err instanceof InvalidCommandError || err instanceof InvalidCommandParamsError;
}

export class RequestedObjectNotFoundError extends AgentError {
  constructor(what: string, id: string) {
    super('RequestedObjectNotFoundError', 404, 'Not found', `${what} with id ${id} not found.`);
  }
}
export class AgentIsBusyError extends AgentError {
  constructor(running: string) {
    super('AgentIsBusy', 409, 'Agent is busy', `executing command ${running}`);
  }
}
export class CommandExecutionError extends kind('CommandExecutionError', 500, 'Command execution failed') {}
export class ImageDownloadError extends AgentError {
  constructor(imageId: string, why: string) {
    super('ImageDownloadError', 500, 'Error downloading image', `Download of image ${imageId} failed: ${why}`);
  }
}
export class ImageChecksumError extends AgentError {
  constructor(location: string, imageId: string, algorithm: string, expected: string, actual: string) {
    super('ImageChecksumError', 500, 'Error verifying image checksum',
      `Image failed to verify against checksum. location: ${location}; image ID: ${imageId}; algorithm: ${algorithm}; `
      + `image checksum: ${expected}; verification checksum: ${actual}`);
  }
}
export class ImageWriteError extends kind('ImageWriteError', 500, 'Error writing image to device') {}
export class DeviceNotFoundError extends kind('DeviceNotFound', 404, 'Error finding the disk or partition device to deploy the image onto') {}
export class DeploymentError extends kind('DeploymentError', 500, 'Deploy step failed') {}
export class CleaningError extends kind('CleaningError', 500, 'Clean step failed') {}
export class BlockDeviceEraseError extends kind('BlockDeviceEraseError', 500, 'Error erasing block device') {}
export class SystemRebootError extends kind('SystemRebootError', 500, 'Error rebooting system') {}
export class IncompatibleHardwareMethodError extends kind('IncompatibleHardwareMethodError', 500, 'HardwareManager method is not compatible with hardware') {}
export class VersionMismatchError extends AgentError {
  constructor(current: Record<string, string>, given: unknown) {
    super('VersionMismatch', 409, 'Hardware managers version mismatch, reload agent with correct version',
      `Current versions: ${JSON.stringify(current)}, versions used by ironic: ${JSON.stringify(given)}`);
  }
}

/** Any thrown value as an AgentError: unknown errors become CommandExecutionError, as IPA does. */
export function asAgentError(err: unknown): AgentError {
  if (err instanceof AgentError) return err;
  return new CommandExecutionError(err instanceof Error ? err.message : String(err));
}
