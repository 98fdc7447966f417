using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace IncidentResponse.Server.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TransitionPath : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<long>(
                name: "sequence",
                table: "audit_events",
                type: "bigint",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "bigint")
                .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);

            migrationBuilder.AddColumn<string>(
                name: "chain",
                table: "audit_events",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "position",
                table: "audit_events",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "audit_chains",
                columns: table => new
                {
                    chain = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    position = table.Column<long>(type: "bigint", nullable: false),
                    hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_chains", x => x.chain);
                });

            // Events written so far form the organisation chain, in their order; its head is the last of them.
            // The table refuses updates: the guard is lifted for this one numbering only.
            migrationBuilder.Sql("""
                ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete;
                UPDATE audit_events SET position = sequence;
                ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_or_delete;
                INSERT INTO audit_chains (chain, position, hash) SELECT '', sequence, hash FROM audit_events ORDER BY sequence DESC LIMIT 1;
                SELECT setval(pg_get_serial_sequence('audit_events', 'sequence'), COALESCE(max(sequence), 0) + 1, false) FROM audit_events;
                """);

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

            migrationBuilder.AlterColumn<long>(
                name: "sequence",
                table: "audit_events",
                type: "bigint",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "bigint")
                .OldAnnotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);
        }
    }
}
