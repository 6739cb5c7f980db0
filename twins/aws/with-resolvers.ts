// aws-local-stepfunctions declares Node >= 22 and calls Promise.withResolvers,
// which Node 20 (this project's floor) lacks. The standard polyfill; it
// changes nothing on Node >= 22, where the method exists.
const promiseCtor = Promise as unknown as { withResolvers?: unknown };
if (typeof promiseCtor.withResolvers !== 'function') {
  promiseCtor.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
export {};
