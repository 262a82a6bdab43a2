#include "store/sqlite/fault_injection.h"

#include <sqlite3.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>

namespace tessera::store::sqlite {
namespace {

std::atomic<int64_t> g_steps{0};
std::atomic<int64_t> g_writes{0};
std::atomic<int64_t> g_kill_at_step{0};
std::atomic<int64_t> g_kill_at_write{0};

[[noreturn]] void Die() {
  std::raise(SIGKILL);
  std::abort();  // not reached
}

// A VFS shim over the default VFS whose files count their writes.
sqlite3_vfs* g_base = nullptr;
sqlite3_vfs g_shim;

struct ShimFile {
  sqlite3_file base;   // must be first: sqlite sees this
  sqlite3_file* real;  // the default VFS's file, allocated after us
};

sqlite3_io_methods g_methods;

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->real; }

int ShimWrite(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  const int64_t n = ++g_writes;
  const int64_t kill = g_kill_at_write.load();
  if (kill > 0 && n >= kill) Die();
  return Real(f)->pMethods->xWrite(Real(f), data, amount, offset);
}

int ShimOpen(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  (void)vfs;
  ShimFile* shim = reinterpret_cast<ShimFile*>(file);
  shim->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + sizeof(ShimFile));
  int rc = g_base->xOpen(g_base, name, shim->real, flags, out_flags);
  if (rc != SQLITE_OK || shim->real->pMethods == nullptr) {
    file->pMethods = nullptr;
    return rc;
  }
  // Copy the real methods once, then replace the ones we watch. Every other call passes through
  // a forwarding table built the same way.
  static bool built = false;
  if (!built) {
    g_methods = *shim->real->pMethods;
    g_methods.xClose = [](sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); };
    g_methods.xRead = [](sqlite3_file* f, void* d, int n, sqlite3_int64 o) {
      return Real(f)->pMethods->xRead(Real(f), d, n, o);
    };
    g_methods.xWrite = ShimWrite;
    g_methods.xTruncate = [](sqlite3_file* f, sqlite3_int64 s) {
      return Real(f)->pMethods->xTruncate(Real(f), s);
    };
    g_methods.xSync = [](sqlite3_file* f, int fl) { return Real(f)->pMethods->xSync(Real(f), fl); };
    g_methods.xFileSize = [](sqlite3_file* f, sqlite3_int64* s) {
      return Real(f)->pMethods->xFileSize(Real(f), s);
    };
    g_methods.xLock = [](sqlite3_file* f, int l) { return Real(f)->pMethods->xLock(Real(f), l); };
    g_methods.xUnlock = [](sqlite3_file* f, int l) {
      return Real(f)->pMethods->xUnlock(Real(f), l);
    };
    g_methods.xCheckReservedLock = [](sqlite3_file* f, int* r) {
      return Real(f)->pMethods->xCheckReservedLock(Real(f), r);
    };
    g_methods.xFileControl = [](sqlite3_file* f, int op, void* a) {
      return Real(f)->pMethods->xFileControl(Real(f), op, a);
    };
    g_methods.xSectorSize = [](sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); };
    g_methods.xDeviceCharacteristics = [](sqlite3_file* f) {
      return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
    };
    if (g_methods.iVersion >= 2) {
      g_methods.xShmMap = [](sqlite3_file* f, int p, int s, int e, void volatile** out) {
        return Real(f)->pMethods->xShmMap(Real(f), p, s, e, out);
      };
      g_methods.xShmLock = [](sqlite3_file* f, int o, int n, int fl) {
        return Real(f)->pMethods->xShmLock(Real(f), o, n, fl);
      };
      g_methods.xShmBarrier = [](sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); };
      g_methods.xShmUnmap = [](sqlite3_file* f, int d) {
        return Real(f)->pMethods->xShmUnmap(Real(f), d);
      };
    }
    if (g_methods.iVersion >= 3) {
      g_methods.xFetch = [](sqlite3_file* f, sqlite3_int64 o, int n, void** p) {
        return Real(f)->pMethods->xFetch(Real(f), o, n, p);
      };
      g_methods.xUnfetch = [](sqlite3_file* f, sqlite3_int64 o, void* p) {
        return Real(f)->pMethods->xUnfetch(Real(f), o, p);
      };
    }
    built = true;
  }
  file->pMethods = &g_methods;
  return rc;
}

void InstallShim() {
  static bool installed = false;
  if (installed) return;
  g_base = sqlite3_vfs_find(nullptr);
  g_shim = *g_base;
  g_shim.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_base->szOsFile;
  g_shim.zName = "tessera-fault";
  g_shim.xOpen = ShimOpen;
  g_shim.pAppData = nullptr;
  sqlite3_vfs_register(&g_shim, /*makeDflt=*/1);
  installed = true;
}

}  // namespace

void KillAtStatement(int64_t n) { g_kill_at_step = n > 0 ? g_steps.load() + n : 0; }

void KillAtWrite(int64_t n) {
  InstallShim();
  g_kill_at_write = n > 0 ? g_writes.load() + n : 0;
}

int64_t StatementsStepped() { return g_steps.load(); }
int64_t FileWrites() { return g_writes.load(); }

void OnStatementStep() {
  const int64_t n = ++g_steps;
  const int64_t kill = g_kill_at_step.load(std::memory_order_relaxed);
  if (kill > 0 && n >= kill) Die();
}

}  // namespace tessera::store::sqlite
