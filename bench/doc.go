// Package bench holds Suivi's end-to-end benchmarks. `make bench` runs them
// and prints one `name: value unit` line per figure; each ratio is taken
// against a baseline measured in the same run.
package bench
