"""The wire formats a counterparty speaks: sim-tendermint's and CometBFT/ibc-go's."""
