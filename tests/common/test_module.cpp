// A module for the loader tests (common/module.h): one exported function.
extern "C" __attribute__((visibility("default"))) int osapi_test_module_answer() {
  return 42;
}
