// One set of ajv options for the runtime compile and the build-time standalone code, so both
// report the same errors.
export const AJV_OPTIONS = { allErrors: true, strict: false, verbose: true } as const;
