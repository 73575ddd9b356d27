fn main() -> std::process::ExitCode {
    mentorpost_server::cli::main()
}
