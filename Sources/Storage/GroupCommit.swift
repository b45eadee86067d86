import Foundation
import GRDB
import Synchronization

/// Runs the store's write operations in shared transactions (group commit).
///
/// Operations submitted while a transaction is being written wait for it, then go together into the next one,
/// one `COMMIT` for all of them, and only then is every caller resumed. A failing operation rolls back only its
/// own changes and gets its own error: the operations first run one after another without savepoints (a
/// savepoint copies every page its operation changes into its journal; without them the ingest line's gateway
/// spent 11–12% less CPU per webhook); if one of them throws, that transaction is rolled back and the same
/// operations run again in the next, each in its own savepoint. So a caller still learns of its write
/// only once it is committed, with the durability of one commit, but a burst of N concurrent writes costs one
/// transaction (one WAL append, one fsync under `synchronous=FULL`) instead of N.
///
/// A lone operation is not delayed: with nothing in flight it starts a transaction at once.
final class GroupCommit: Sendable {
    /// At most this many operations share a transaction, so the write lock is never held for long.
    static let maxOperationsPerTransaction = 256

    private struct State {
        var pending: [any PendingWrite] = []
        var committing = false
    }

    private let writer: any DatabaseWriter
    private let state = Mutex(State())
    private let commits = Atomic<Int>(0)
    /// Called on the writer queue after each transaction, before its callers are resumed.
    private let afterTransaction: @Sendable () -> Void

    init(writer: any DatabaseWriter, afterTransaction: @escaping @Sendable () -> Void = {}) {
        self.writer = writer
        self.afterTransaction = afterTransaction
    }

    /// How many transactions this writer has ended (committed or rolled back), for tests and metrics.
    var transactionCount: Int { commits.load(ordering: .relaxed) }

    /// How many operations wait for the next transaction.
    var pendingCount: Int { state.withLock { $0.pending.count } }

    /// Runs `updates` in the next shared transaction; returns (or throws) once that transaction has ended.
    ///
    /// `updates` must not assume it runs alone in its transaction: it sees the committed database plus the
    /// changes of the operations before it in the same transaction, exactly as if they had committed just before.
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let operation = Operation(updates: updates, continuation: continuation)
            let startsTransaction = state.withLock { state in
                state.pending.append(operation)
                guard !state.committing else { return false }
                state.committing = true
                return true
            }
            if startsTransaction { commitNext() }
        }
    }

    /// Starts a transaction on GRDB's writer queue that takes, once it runs, everything pending by then; when it
    /// has ended, resumes its callers and starts the next one if anything arrived meanwhile.
    ///
    /// The operations are taken when the writer starts the transaction, not when it is scheduled: writes submitted
    /// while the writer queue was still busy with something else (a checkpoint, a backup) or while its thread woke
    /// up join the transaction instead of waiting for one of their own. The router's effects of one webhook (its
    /// events, the assignment, the work item) arrive from concurrent tasks a few microseconds apart: taken at
    /// once, the first went alone and the others made a second transaction, each writing every page it changed.
    private func commitNext() {
        write(Batch())
    }

    /// One transaction of `batch`: a new one takes the pending operations when it starts; one whose operations
    /// failed without savepoints runs them again, each in its own.
    private func write(_ batch: Batch) {
        writer.asyncWrite(
            { [self] db in
                if !batch.taken {
                    batch.operations = takePending()
                    batch.taken = true
                }
                try Self.run(batch.operations, savepoints: batch.savepoints, db)
            },
            completion: { [self] _, result in
                commits.add(1, ordering: .relaxed)
                afterTransaction()
                let failure: (any Error)? =
                    if case .failure(let error) = result { error } else { nil }
                if failure is FailedWithoutSavepoints {
                    batch.savepoints = true
                    write(batch)
                    return
                }
                // The transaction could not begin (another connection holds the write lock past the busy timeout,
                // the disk failed): what is pending gets its error now, as it would have inside the transaction.
                if !batch.taken { batch.operations = takePending() }
                for operation in batch.operations { operation.finish(transactionFailure: failure) }
                let more = state.withLock { state in
                    if state.pending.isEmpty { state.committing = false }
                    return state.committing
                }
                if more { commitNext() }
            })
    }

    /// The pending operations, oldest first, at most ``maxOperationsPerTransaction``.
    private func takePending() -> [any PendingWrite] {
        state.withLock { state in
            let count = min(state.pending.count, Self.maxOperationsPerTransaction)
            let batch = Array(state.pending.prefix(count))
            state.pending.removeFirst(count)
            return batch
        }
    }

    /// The operations of one transaction. Without savepoints, the first that throws ends the transaction with
    /// ``FailedWithoutSavepoints`` (it is rolled back, and run again with them). With savepoints, each operation
    /// in its own: a failure rolls back that operation alone; an error SQLite answers by rolling back the whole
    /// transaction (I/O, full disk, …) ends the batch: nothing of it will commit, so every operation fails with
    /// that error.
    ///
    /// An operation alone in its transaction needs no savepoint: its failure rolls the transaction back.
    private static func run(_ batch: [any PendingWrite], savepoints: Bool, _ db: Database) throws {
        if batch.count == 1, let operation = batch.first {
            do {
                try operation.run(db)
            } catch {
                operation.fail(error)
                throw error
            }
            return
        }
        guard savepoints else {
            for operation in batch {
                do {
                    try operation.run(db)
                } catch {
                    throw FailedWithoutSavepoints()
                }
            }
            return
        }
        for operation in batch {
            do {
                try OperationSavepoint.run(db) { try operation.run(db) }
            } catch {
                operation.fail(error)
                if !db.isInsideTransaction { throw error }
            }
        }
    }
}

/// An operation of a transaction run without savepoints threw: the transaction is rolled back and its operations
/// run again, each in a savepoint. Never reaches a caller.
private struct FailedWithoutSavepoints: Error {}

/// The savepoint around one operation of a shared transaction, with cached statements: GRDB's `inSavepoint`
/// parses `SAVEPOINT` and `RELEASE` again for every operation (7% of the writer's time delivering the remote
/// core's backlog). GRDB follows the savepoints all the same: it reads each statement's effect when it is prepared.
enum OperationSavepoint {
    static func run(_ db: Database, _ body: () throws -> Void) throws {
        try db.cachedStatement(sql: "SAVEPOINT operation").execute()
        do {
            try body()
        } catch {
            // Unless SQLite already rolled the whole transaction back (then there is no savepoint left).
            if db.isInsideTransaction {
                try db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT operation").execute()
                try db.cachedStatement(sql: "RELEASE SAVEPOINT operation").execute()
            }
            throw error
        }
        try db.cachedStatement(sql: "RELEASE SAVEPOINT operation").execute()
    }
}

/// The operations of one transaction, taken when it starts. `@unchecked Sendable`: only touched on GRDB's serial
/// writer queue (in the transaction's body, then in its completion).
private final class Batch: @unchecked Sendable {
    var operations: [any PendingWrite] = []
    /// The transaction began and took its operations.
    var taken = false
    /// Each operation runs in its own savepoint (once one of them failed without).
    var savepoints = false
}

/// One submitted operation, its result kept until its transaction has ended.
private protocol PendingWrite: Sendable {
    /// Runs the operation and keeps its result (called on the writer queue; again if its transaction was rolled
    /// back to run its operations in savepoints).
    func run(_ db: Database) throws
    /// Keeps `error` as the result (the savepoint was rolled back).
    func fail(_ error: any Error)
    /// Resumes the caller: with its own result if the transaction committed, else with its own error or the
    /// transaction's.
    func finish(transactionFailure: (any Error)?)
}

/// `@unchecked Sendable`: `result` is only touched on GRDB's serial writer queue (in `run`, `fail` and the
/// completion that calls `finish`), one transaction after another.
private final class Operation<Value: Sendable>: PendingWrite, @unchecked Sendable {
    let updates: @Sendable (Database) throws -> Value
    let continuation: CheckedContinuation<Value, any Error>
    var result: Result<Value, any Error>?

    init(updates: @escaping @Sendable (Database) throws -> Value, continuation: CheckedContinuation<Value, any Error>) {
        self.updates = updates
        self.continuation = continuation
    }

    func run(_ db: Database) throws {
        result = .success(try updates(db))
    }

    func fail(_ error: any Error) {
        result = .failure(error)
    }

    func finish(transactionFailure: (any Error)?) {
        switch (result, transactionFailure) {
        case (.failure(let error)?, _): continuation.resume(throwing: error)
        case (_, let error?): continuation.resume(throwing: error)
        case (.success(let value)?, nil): continuation.resume(returning: value)
        case (nil, nil): continuation.resume(throwing: CancellationError())  // not reached: run always sets it
        }
    }
}
