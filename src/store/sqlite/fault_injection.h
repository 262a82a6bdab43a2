// Crash injection for tests: kills the process with SIGKILL at a chosen statement or file write,
// so that tests can prove a load is all-or-nothing whatever the moment of death (mid-commit
// included). Inert unless a test arms it; never armed by the tessera binary.
#pragma once

#include <cstdint>

namespace tessera::store::sqlite {

// Arms a kill before the `n`-th sqlite3_step from now (n >= 1), or disarms with 0.
void KillAtStatement(int64_t n);
// Arms a kill in place of the `n`-th write to any database, WAL or journal file from now,
// or disarms with 0. Must be called before the store is opened (it installs a VFS shim).
void KillAtWrite(int64_t n);

// Counts since the process started (for choosing kill points from a clean run).
int64_t StatementsStepped();
int64_t FileWrites();

// Called by the connection before each step.
void OnStatementStep();

}  // namespace tessera::store::sqlite
