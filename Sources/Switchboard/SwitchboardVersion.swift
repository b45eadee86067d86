/// The release this source tree is: `switchboard --version` prints `switchboard <current>`. Raise it with each
/// release (semantic versioning: a change that breaks CONTRACT.md raises the major part).
public enum SwitchboardVersion {
    public static let current = "0.4.0"
}
