using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IncidentResponse.Server.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TransitionPath : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "chain",
                table: "audit_events",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "position",
                table: "audit_events",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "audit_chains",
                columns: table => new
                {
                    chain = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    position = table.Column<long>(type: "INTEGER", nullable: false),
                    hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_chains", x => x.chain);
                });

            // Events written so far form the organisation chain, in their order; its head is the last of them.
            // The table refuses updates: the guard is lifted for this one numbering only.
            migrationBuilder.Sql("DROP TRIGGER audit_events_no_update;");
            migrationBuilder.Sql("UPDATE audit_events SET position = sequence;");
            migrationBuilder.Sql("CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;");
            migrationBuilder.Sql("INSERT INTO audit_chains (chain, position, hash) SELECT '', sequence, hash FROM audit_events ORDER BY sequence DESC LIMIT 1;");

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_chain_position",
                table: "audit_events",
                columns: new[] { "chain", "position" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_chains");

            migrationBuilder.DropIndex(
                name: "ix_audit_events_chain_position",
                table: "audit_events");

            migrationBuilder.DropColumn(
                name: "chain",
                table: "audit_events");

            migrationBuilder.DropColumn(
                name: "position",
                table: "audit_events");
        }
    }
}
