import ArgumentParser
import Foundation
import GatewayAssembly
import Logging
import Server
import Switchboard

struct Contacts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage contact records.", subcommands: [ContactsImport.self])
}

/// `switchboard contacts import FILE.csv`: columns `name`, `mobile_phone`, optional `region`; any other column
/// is kept as an attribute. Invalid rows are skipped and reported as `line N: reason`.
struct ContactsImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Bulk-import contacts from CSV.")
    @Argument(help: "CSV file with a header row.") var file: String
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let configuration = try options.load()
        guard let data = FileManager.default.contents(atPath: file) else {
            printError("error: cannot read \(file)")
            throw ExitCode(2)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            printError("error: \(file) is not UTF-8 text")
            throw ExitCode(2)
        }
        var rows = CSV.rows(text)
        guard !rows.isEmpty else {
            printError("error: \(file) is empty")
            throw ExitCode(2)
        }
        let header = rows.removeFirst().fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let nameColumn = header.firstIndex(of: "name"), let phoneColumn = header.firstIndex(of: "mobile_phone")
        else {
            printError("error: line 1: the header needs the columns name and mobile_phone")
            throw ExitCode(2)
        }
        let regionColumn = header.firstIndex(of: "region")
        var contacts: [Contact] = []
        var skipped = 0
        let now = Date()
        for row in rows {
            func value(_ column: Int?) -> String? {
                guard let column, column < row.fields.count else { return nil }
                let value = row.fields[column].trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
            guard let name = value(nameColumn) else {
                printError("line \(row.line): name is empty")
                skipped += 1
                continue
            }
            guard let phone = value(phoneColumn) else {
                printError("line \(row.line): mobile_phone is empty")
                skipped += 1
                continue
            }
            let region = value(regionColumn)?.uppercased() ?? configuration.defaultRegion
            let number: PhoneNumber
            do {
                number = try PhoneNumber.parse(phone, region: region)
            } catch {
                printError("line \(row.line): mobile_phone \(error)")
                skipped += 1
                continue
            }
            var attributes: [String: String] = [:]
            for (index, column) in header.enumerated()
            where index != nameColumn && index != phoneColumn && index != regionColumn {
                if let value = value(index) { attributes[column] = value }
            }
            contacts.append(
                Contact(
                    id: RecordID.make("ct"), name: name, mobilePhone: phone, mobilePhoneE164: number.e164,
                    region: region, attributes: attributes, createdAt: now))
        }
        let finalContacts = contacts
        let imported = try await SwitchboardServer.withStore(
            configuration.database, logger: Logger(label: "switchboard.contacts")
        ) { store in try await store.importContacts(finalContacts) }
        print("imported \(imported), skipped \(skipped)")
        if imported == 0 { throw ExitCode(1) }
    }
}
