// The host model: interfaces, routes, sysctls and local sockets of the machine a ruleset runs
// on, read from a host file, with the kernel's lookups over them.

export { addressType } from './address-type.js';
export type { NextHop, Route, RouteType } from './fib.js';
export type { Host, Neighbour } from './host.js';
export { parseHostFile } from './host-file.js';
export type { HostInterface, InterfaceAddress, InterfaceKind } from './interfaces.js';
export { addressesOf } from './interfaces.js';
export type { Address } from './ip-text.js';
export { parseAddressText } from './ip-text.js';
export { HostFileError } from './json-reader.js';
export type { RouteErrno, RouteFailed, RouteFound, RouteQuery, RouteResult } from './routing.js';
export { fibLookup, routeLookup, validateSource } from './routing.js';
export { SCOPE } from './scope.js';
export type { Listener, SocketProtocol, UserlandProxy } from './sockets.js';
export { findSocket } from './sockets.js';
export { interfaceOwning, selectSourceAddress } from './source-address.js';
export { SYSCTL_DEFAULTS, Sysctls } from './sysctl.js';
