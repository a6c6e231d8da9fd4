// The host model: interfaces, routes, sysctls and local sockets of the machine a ruleset runs
// on, read from a host file, with the kernel's lookups over them.

export { addressType, routeTypes6 } from './address-type.js';
export type { NextHop, Route, RouteType } from './fib.js';
export type { Fib6Choice } from './fib6-lookup.js';
export { fib6Lookup } from './fib6-lookup.js';
export type { Host, Neighbour } from './host.js';
export { parseHostFile } from './host-file.js';
export type { HostInterface, InterfaceAddress, InterfaceKind } from './interfaces.js';
export { addressesOf } from './interfaces.js';
export type { Address } from './ip-text.js';
export { parseAddressText } from './ip-text.js';
export type { Ipv6Class } from './ipv6-class.js';
export { ipv6Class } from './ipv6-class.js';
export { HostFileError } from './json-reader.js';
export { type ReversePathOptions, reversePathOk } from './reverse-path.js';
export type { RouteErrno, RouteFailed, RouteFound, RouteQuery, RouteResult } from './routing.js';
export { fibLookup, routeLookup, validateSource } from './routing.js';
export type { RouteQuery6 } from './routing6.js';
export { routeLookup6 } from './routing6.js';
export { SCOPE } from './scope.js';
export type { Listener, SocketProtocol, UserlandProxy } from './sockets.js';
export { findSocket } from './sockets.js';
export { interfaceOwning, selectSourceAddress } from './source-address.js';
export { selectSourceAddress6 } from './source-address6.js';
export { SYSCTL_DEFAULTS, Sysctls } from './sysctl.js';
