package io.pseries.script.cli;

import java.util.concurrent.Callable;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code pseries completion bash|zsh}: the shell completion script for every subcommand and
 * option, from picocli's generator (one script serves both shells; zsh loads it through its
 * bash-completion emulation).
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = {"Print a shell completion script for pseries (subcommands, options, enum values, files).",
        "Install it for the current shell or permanently:",
        "  source <(./pseries completion bash)                    # bash, this shell",
        "  ./pseries completion bash > ~/.local/share/bash-completion/completions/pseries",
        "  source <(./pseries completion zsh)                     # zsh (add to ~/.zshrc)",
        "Completion works for the command name 'pseries'; put the launcher on PATH (or alias pseries=./pseries)."})
final class CompletionCommand implements Callable<Integer> {
    enum Shell { bash, zsh }

    @Parameters(paramLabel = "SHELL", description = "bash or zsh")
    Shell shell;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        String script = AutoComplete.bash("pseries", root);
        if (shell == Shell.zsh) {
            script = "# zsh: load bash-style completion, then the pseries completion\n"
                + "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n" + script;
        }
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
