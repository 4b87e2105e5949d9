export { AddressPolicy, parseNetwork } from './address-policy';
export { guardedLookup, TargetRefused, targetProblem, urlHost } from './guarded-lookup';
