#include "cli/app.h"

int main(int argc, char** argv) {
  return osapi::cli::run(argc, argv);
}
