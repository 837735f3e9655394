// Errors in Redfish's format (DSP0266 "Error responses"): `{"error": {code, message, "@Message.ExtendedInfo":
// [Message…]}}`, with MessageIds from DMTF's Base message registry, the one place the BMC writes them.

const REGISTRY = 'Base.1.8';

export class RedfishError extends Error {
  constructor(
    readonly status: number,
    /** MessageId in the Base registry, without the registry prefix, e.g. `PropertyValueNotInList`. */
    readonly messageId: string,
    message: string,
    readonly args: readonly string[] = [],
    readonly resolution = 'None.',
  ) {
    super(message);
  }
}

export function errorBody(err: RedfishError): unknown {
  const id = `${REGISTRY}.${err.messageId}`;
  return {
    error: {
      // The top-level code is the first message's id, as most services answer (GeneralError when several).
      code: id,
      message: err.message,
      '@Message.ExtendedInfo': [{
        '@odata.type': '#Message.v1_1_1.Message',
        MessageId: id,
        Message: err.message,
        MessageArgs: [...err.args],
        Severity: err.status >= 500 ? 'Critical' : 'Warning',
        Resolution: err.resolution,
      }],
    },
  };
}

export const notFound = (path: string) =>
  new RedfishError(404, 'ResourceMissingAtURI', `The resource at the URI ${path} was not found.`, [path],
    'Place a valid resource at the URI or correct the URI and resubmit the request.');

export const notAllowed = (method: string, path: string) =>
  new RedfishError(405, 'OperationNotAllowed', `The ${method} operation is not allowed on ${path}.`, [],
    'Use an operation the resource supports (see its Allow header).');

export const noValidSession = () =>
  new RedfishError(401, 'NoValidSession', 'There is no valid session established with the implementation.', [],
    'Establish a session before attempting any operations, or give valid credentials.');

export const notInList = (value: unknown, property: string) =>
  new RedfishError(400, 'PropertyValueNotInList', `The value ${JSON.stringify(value)} for the property ${property} is not in the list of acceptable values.`,
    [JSON.stringify(value), property], 'Choose a value from the enumeration list and resubmit the request.');

export const propertyUnknown = (property: string) =>
  new RedfishError(400, 'PropertyUnknown', `The property ${property} is not in the list of valid properties for the resource.`, [property],
    'Remove the unknown property from the request body and resubmit the request.');

export const propertyNotWritable = (property: string) =>
  new RedfishError(400, 'PropertyNotWritable', `The property ${property} is a read only property and cannot be assigned a value.`, [property],
    'Remove the property from the request body and resubmit the request.');

export const malformedJson = () =>
  new RedfishError(400, 'MalformedJSON', 'The request body submitted was malformed JSON and could not be parsed by the receiving service.', [],
    'Ensure that the request body is valid JSON and resubmit the request.');

export const missingParameter = (parameter: string, action: string) =>
  new RedfishError(400, 'ActionParameterMissing', `The action ${action} requires the parameter ${parameter} to be present in the request body.`,
    [action, parameter], 'Supply the action with the required parameter in the request body when the request is resubmitted.');

export const parameterNotInList = (value: unknown, parameter: string, action: string) =>
  new RedfishError(400, 'ActionParameterNotSupported', `The parameter ${parameter} with the value ${JSON.stringify(value)} is not supported by the action ${action}.`,
    [JSON.stringify(value), parameter, action], 'Choose a value from the @Redfish.AllowableValues of the action and resubmit the request.');

export const parameterFormat = (value: unknown, parameter: string, action: string) =>
  new RedfishError(400, 'ActionParameterValueFormatError', `The value ${JSON.stringify(value)} for the parameter ${parameter} in the action ${action} is of a different format than the parameter can accept.`,
    [JSON.stringify(value), parameter, action], 'Correct the value for the parameter in the request body and resubmit the request.');

export const preconditionFailed = () =>
  new RedfishError(412, 'PreconditionFailed', 'The ETag supplied did not match the ETag required to change this resource.', [],
    'Try the operation again using the appropriate ETag.');

export const preconditionRequired = () =>
  new RedfishError(428, 'PreconditionRequired', 'A precondition header or annotation is required to change this resource.', [],
    'Try the operation again using an If-Match header and the resource\'s ETag.');

export const resourceInUse = (what: string) =>
  new RedfishError(409, 'ResourceInUse', `The change to the requested resource failed because the resource is in use or in transition: ${what}.`, [],
    'Remove the condition and resubmit the request.');

export const propertyConflict = (property: string, other: string) =>
  new RedfishError(400, 'PropertyValueConflict', `The property ${property} could not be written because its value would conflict with the value of the ${other} property.`,
    [property, other], 'No resolution is required.');
